# isr — two commands: `make run` (demo) and `make test` (everything). See README.md.
BUILD_DIR    ?= build/release
ASAN_DIR     ?= build/asan
TSAN_DIR     ?= build/tsan
PORT         ?= 8080
BIND         ?= 127.0.0.1
CONFIG       ?= scripts/demo.ini
SANITIZE     ?= 1
# Seconds per fuzz target in `make test` (0 skips); `make fuzz FUZZ_SECONDS=600` for a long run.
FUZZ_SECONDS ?= 5
# Run once, in the release build, not again under the sanitizers: the style check (it reads
# sources), the browser tests (they test the UI's JavaScript; isr-web under ASan is exercised by
# the integration tests), a 4 GiB file write, and two single-threaded sweeps that take long
# under instrumentation.
NOT_UNDER_SANITIZERS = format: sources match|4 GiB|agree with glibc for every hour|at every packet boundary
# Not again against the ASan programs: two integration tests that keep both cores busy for a
# minute (make test's 30 min budget). Their code runs under ASan all the same: the unit test of
# stream levels cuts and decodes every format in-process, and the full-disk, chained, AAC,
# junk and replay tests record every stream format through the ASan isrd.
NOT_AGAINST_ASAN_PROGRAMS = five formats split every 10 s|every format's files get levels at record time

# The libraries as unity builds (a few files per object): a fresh build takes half the time,
# which make test's 30 min budget needs. UNITY=OFF compiles one object per file, for working on
# the code (a change recompiles one file, and each file is checked with only its own includes).
UNITY        ?= ON

CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=Release -DISR_UNITY=$(UNITY)

.PHONY: all deps test-deps build run test test-asan test-tsan fuzz bench format clean

all: build

deps:
	@scripts/install-deps.sh build

test-deps:
	@scripts/install-deps.sh test
	@tests/browser/setup.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR)

run: build
	@scripts/run-demo.sh $(BUILD_DIR) $(CONFIG) $(BIND) $(PORT)

# Every test through ctest on the same build `make run` uses; then the whole suite again under
# AddressSanitizer and UBSan, the unit tests (threaded parts included) under ThreadSanitizer
# (SANITIZE=0 skips both), and each fuzz target for FUZZ_SECONDS.
test: test-deps build
	@scripts/run-tests.sh $(BUILD_DIR)
ifeq ($(SANITIZE),1)
	@$(MAKE) --no-print-directory test-asan test-tsan
endif
ifneq ($(FUZZ_SECONDS),0)
	@$(MAKE) --no-print-directory fuzz
endif

# clang: GCC 12 with ASan reports std::regex as uninitialised (-Werror); and the fuzz targets
# share this build (scripts/configure-asan.sh). The unit tests run in the ASan build; the
# integration tests are the release build's, pointed at the ASan build's isrd and isr-web: the
# programs they start are what needs the sanitizers, and the test binary is not built twice.
test-asan: test-deps build
	@scripts/configure-asan.sh $(ASAN_DIR)
	@cmake --build $(ASAN_DIR) --target isrd isr-web isr_unit_tests
	@scripts/run-tests.sh $(ASAN_DIR) -L unit -E "$(NOT_UNDER_SANITIZERS)"
	@ISRD_UNDER_TEST=$(abspath $(ASAN_DIR))/recorder/isrd \
	 ISR_WEB_UNDER_TEST=$(abspath $(ASAN_DIR))/webserver/isr-web ISR_PROGRAMS_SANITIZER=address \
	 scripts/run-tests.sh $(BUILD_DIR) -L integration \
	    -E "^deploy: |$(NOT_UNDER_SANITIZERS)|$(NOT_AGAINST_ASAN_PROGRAMS)"

# clang here too: GCC 12 at -O2 with TSan reports std::string copies as out of bounds (-Werror).
test-tsan: test-deps
	@CC=clang CXX=clang++ cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	    -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only -DCMAKE_C_FLAGS_DEBUG=-gline-tables-only \
	    -DISR_TSAN=ON -DISR_UNITY=ON >/dev/null
	@cmake --build $(TSAN_DIR) --target isr_unit_tests
	@scripts/run-tests.sh $(TSAN_DIR) -L unit -E "$(NOT_UNDER_SANITIZERS)"

fuzz: test-deps
	@scripts/run-fuzz.sh $(FUZZ_SECONDS) $(ASAN_DIR)

bench: build
	@scripts/install-deps.sh bench
	@bench/run-all.sh $(BUILD_DIR)

format:
	@git ls-files '*.cpp' '*.hpp' '*.c' | xargs clang-format -i

clean:
	rm -rf build
