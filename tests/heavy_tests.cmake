# Included by ctest after the Catch tests are discovered (TEST_INCLUDE_FILES): the tests that
# keep a core busy for their whole run count as two of ctest's -j slots, so the tests that pace
# themselves on the wall clock (ALSA capture in real time, splits, a full disk) never share two
# cores with more than one of them.
set(_isr_heavy_tests
    "integration:Stream levels: every format's files get levels at record time that match isr-web's decode of the file"
    "integration:Icecast streams in five formats split every 10 s, every file playable on its own"
    "unit:Stream levels: each file's bytes decoded as they come match isr-web's decode"
    "unit:Stream levels: files cut from a stream the way isrd cuts them match isr-web's decode"
    "unit:a WAV that grows past 4 GiB becomes RF64 with correct 64-bit sizes")
# A build without one of them (the TSan build has only the threaded unit tests) ignores its
# name: ctest sets properties only on tests it has.
foreach(_test IN LISTS _isr_heavy_tests)
    set_tests_properties("${_test}" PROPERTIES PROCESSORS 2)
endforeach()
