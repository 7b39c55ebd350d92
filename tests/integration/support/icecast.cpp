#include "tests/integration/support/icecast.hpp"

#include "tests/integration/support/http_client.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

#include <unistd.h>

namespace isr::test {

namespace fs = std::filesystem;

IcecastServer::IcecastServer(const fs::path& dir, Options options)
    : dir_(dir), options_(std::move(options)), port_(free_port()) {
    fs::create_directories(dir_ / "log");
    // The port free_port() found can be taken again before icecast2 binds it (another test's
    // server or an outgoing connection's local port): then icecast2 exits at once, and a test
    // would see "connection refused" later. The first start tries up to three ports.
    for (int attempt = 1;; ++attempt) {
        write_config();
        if (launch())
            return;
        const auto why = "icecast2 did not start on port " + std::to_string(port_) + ": " +
                         (process_ ? process_->log() : std::string()) +
                         read_file(dir_ / "log" / "error.log");
        stop();
        if (attempt == 3)
            throw std::runtime_error(why);
        port_ = free_port();
    }
}

void IcecastServer::write_config() {
    std::string auth;
    if (!options_.auth_mount.empty()) {
        // Icecast's htpasswd file holds "user:md5-hex-of-password".
        const auto md5 =
            run_command("printf %s '" + options_.auth_password + "' | md5sum | cut -d' ' -f1");
        write_file(dir_ / "users", options_.auth_user + ":" + md5.output.substr(0, 32) + "\n");
        auth = "<mount type=\"normal\"><mount-name>" + options_.auth_mount +
               "</mount-name><authentication type=\"htpasswd\"><option name=\"filename\" value=\"" +
               (dir_ / "users").string() +
               "\"/><option name=\"allow_duplicate_users\" value=\"1\"/></authentication></mount>";
    }
    const bool root = ::geteuid() == 0;
    write_file(
        dir_ / "icecast.xml",
        "<icecast><location>test</location><admin>test@localhost</admin>"
        "<limits><clients>100</clients><sources>20</sources><queue-size>524288</queue-size>"
        "<client-timeout>30</client-timeout><header-timeout>15</header-timeout>"
        "<source-timeout>10</source-timeout><burst-on-connect>" +
            std::string(options_.burst_bytes > 0 ? "1" : "0") + "</burst-on-connect><burst-size>" +
            std::to_string(options_.burst_bytes) +
            "</burst-size></limits>"
            "<authentication><source-password>" +
            source_password() +
            "</source-password><relay-password>x</relay-password><admin-user>admin</admin-user>"
            "<admin-password>admin-pw</admin-password></authentication>"
            "<hostname>127.0.0.1</hostname><listen-socket><port>" +
            std::to_string(port_) +
            "</port><bind-address>127.0.0.1</bind-address></listen-socket>" + auth +
            "<fileserve>0</fileserve><paths><basedir>/usr/share/icecast2</basedir><logdir>" +
            (dir_ / "log").string() +
            "</logdir><webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/"
            "admin</adminroot>"
            "</paths><logging><accesslog>access.log</accesslog><errorlog>error.log</errorlog>"
            "<loglevel>3</loglevel></logging>" +
            (root ? "<security><chroot>0</chroot><changeowner><user>icecast2</user><group>icecast</"
                    "group>"
                    "</changeowner></security>"
                  : "") +
            "</icecast>\n");
    if (root) {
        // It writes its logs as icecast2 after dropping root.
        run_command("chown -R icecast2:icecast '" + (dir_ / "log").string() + "' && chmod 755 '" +
                    dir_.string() + "'");
        if (!options_.auth_mount.empty())
            run_command("chmod 644 '" + (dir_ / "users").string() + "'");
        // Its parent folders must be searchable by icecast2 too.
        for (auto p = dir_.parent_path(); p != p.root_path() && p != "/tmp"; p = p.parent_path()) {
            run_command("chmod o+x '" + p.string() + "'");
        }
    }
}

IcecastServer::~IcecastServer() {
    stop();
}

// Starts icecast2 and waits until it is the one listening on port_.
bool IcecastServer::launch() {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/icecast2", "-c", (dir_ / "icecast.xml").string()},
        dir_ / ("icecast-" + std::to_string(port_) + ".out"));
    if (!wait_for_port(port_, 10000))
        return false;
    // Something else may answer on the port while icecast2, unable to bind it, exits.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return process_->running();
}

// A restart keeps the port: the recorder under test reconnects to the same URL.
void IcecastServer::start() {
    if (!launch()) {
        throw std::runtime_error("icecast2 did not start again on port " + std::to_string(port_) +
                                 ": " + process_->log() + read_file(dir_ / "log" / "error.log"));
    }
}

void IcecastServer::stop() {
    if (process_)
        process_->stop();
    process_.reset();
}

std::string IcecastServer::url(const std::string& mount) const {
    return "http://127.0.0.1:" + std::to_string(port_) + mount;
}

std::string FfmpegSource::content_type(const std::string& format) {
    if (format == "mp3")
        return "audio/mpeg";
    if (format == "aac")
        return "audio/aac";
    return "application/ogg";
}

FfmpegSource::FfmpegSource(const IcecastServer& icecast, const std::string& mount,
                           const std::string& format, const fs::path& log,
                           const std::string& signal) {
    const std::string rate = format == "opus" ? "48000" : "44100";
    std::vector<std::string> args{"/usr/bin/ffmpeg",
                                  "-nostdin",
                                  "-v",
                                  "error",
                                  "-re",
                                  "-f",
                                  "lavfi",
                                  "-i",
                                  signal.empty() ? "sine=frequency=440:sample_rate=" + rate
                                                 : "aevalsrc=exprs='" + signal + "':s=" + rate,
                                  "-ac",
                                  "2"};
    if (format == "mp3")
        args.insert(args.end(), {"-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3"});
    else if (format == "aac")
        args.insert(args.end(), {"-c:a", "aac", "-b:a", "128k", "-f", "adts"});
    else if (format == "vorbis")
        args.insert(args.end(),
                    {"-c:a", "libvorbis", "-b:a", "128k", "-page_duration", "200000", "-f", "ogg"});
    else if (format == "opus")
        args.insert(args.end(),
                    {"-c:a", "libopus", "-b:a", "96k", "-page_duration", "200000", "-f", "ogg"});
    else if (format == "flac")
        args.insert(args.end(), {"-c:a", "flac", "-page_duration", "200000", "-f", "ogg"});
    else
        throw std::invalid_argument("unknown format " + format);
    args.insert(args.end(), {"-content_type", content_type(format),
                             "icecast://source:" + icecast.source_password() +
                                 "@127.0.0.1:" + std::to_string(icecast.port()) + mount});
    process_ = std::make_unique<ChildProcess>(args, log);
}

FfmpegSource::~FfmpegSource() = default;

} // namespace isr::test
