#include "common/command_line.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace isr;

using Words = std::vector<std::string>;

TEST_CASE("on_save commands split into words as a shell would, without a shell",
          "[common][replay]") {
    struct Row {
        std::string text;
        Words words;
    };
    const Row rows[] = {
        {"", {}},
        {"   ", {}},
        {"notify-send", {"notify-send"}},
        {"  notify-send   -a\tisr  ", {"notify-send", "-a", "isr"}},
        {"notify-send \"Replay saved\"", {"notify-send", "Replay saved"}},
        {"notify-send 'Replay saved'", {"notify-send", "Replay saved"}},
        {"\"/opt/my tools/tag\" --verbose", {"/opt/my tools/tag", "--verbose"}},
        {"a\"b c\"d 'e'\"f\"", {"ab cd", "ef"}},
        {"x '' \"\"", {"x", "", ""}},
        {"say 'it'\\''s'", {"say", "it's"}},
        {"say \"a \\\"quote\\\" and \\\\ and \\$HOME and \\n\"",
         {"say", "a \"quote\" and \\ and $HOME and \\n"}},
        {"say 'no $expansion | here'", {"say", "no $expansion | here"}},
        {"a\\ b c\\|d", {"a b", "c|d"}},
        {"notify-send \"Take #1\"  # a comment", {"notify-send", "Take #1"}},
        {"notify-send x ; a comment", {"notify-send", "x"}},
        {"a#b c", {"a#b", "c"}},
        {"# all comment", {}},
        {"cp x~ y", {"cp", "x~", "y"}},
        {"echo 'Grüße 🎵'", {"echo", "Grüße 🎵"}},
        // README's example: a shell of one's own, the appended arguments as $1…$4.
        {"sh -c 'notify-send \"Replay saved ($2)\" \"$1\"' sh",
         {"sh", "-c", "notify-send \"Replay saved ($2)\" \"$1\"", "sh"}},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        CHECK(split_command_line(row.text) == row.words);
        CHECK_FALSE(command_line_problem(row.text));
    }
}

TEST_CASE("on_save: what a shell would do differently is refused", "[common][replay]") {
    struct Row {
        const char* text;
        const char* expected;
    };
    const Row rows[] = {
        {"notify-send \"saved", "the \" at column 13 is never closed"},
        {"notify-send 'saved", "the ' at column 13 is never closed"},
        {"say \"a\\\"", "the \" at column 5 is never closed"},
        {"x \\", "ends with a lone \\"},
        {"play x && rm x", "'&' at column 8 means something only to a shell, and no shell runs "
                           "this command; quote it to pass it as text, or run a shell yourself: "
                           "sh -c '...' sh"},
        {"a | b", "'|' at column 3"},
        {"a > log", "'>' at column 3"},
        {"a <in", "'<' at column 3"},
        {"a $HOME", "'$' at column 3"},
        {"a `date`", "'`' at column 3"},
        {"(a)", "'(' at column 1"},
        {"a b;c", "';' at column 4"},
        {"~/bin/tag", "'~' at column 1 is not expanded (no shell runs this command); write the "
                      "full path"},
    };
    for (const auto& row : rows) {
        INFO(row.text);
        const auto problem = command_line_problem(row.text);
        REQUIRE(problem);
        CHECK_THAT(*problem, Catch::StartsWith(row.expected));
        CHECK_THROWS_AS(split_command_line(row.text), std::invalid_argument);
    }
}

TEST_CASE("on_save: quoted back, the words split the same", "[common][replay]") {
    const Words rows[] = {
        {"notify-send", "Replay saved"},
        {"/opt/my tools/tag", "--x=1", "it's", "", "$HOME", "a\\b", "#x", ";y", "~z", "Grüße"},
        {},
    };
    for (const auto& words : rows) {
        const auto text = quote_command_line(words);
        INFO(text);
        CHECK(split_command_line(text) == words);
    }
    CHECK(quote_command_line({"notify-send", "Replay saved", "--x=1"}) ==
          "notify-send 'Replay saved' --x=1");
    CHECK(quote_command_line({"it's"}) == "'it'\\''s'");
}
