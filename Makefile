# isr — two commands: `make run` (demo) and `make test` (everything). See README.md.
BUILD_DIR  ?= build/release
ASAN_DIR   ?= build/asan
PORT       ?= 8080
BIND       ?= 127.0.0.1
CONFIG     ?= scripts/demo.ini
SANITIZE   ?= 1

CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps test-deps build run test unit-asan bench format clean

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

# Every test through ctest on the same build `make run` uses, then the unit tests again under
# AddressSanitizer and UBSan (skip those with SANITIZE=0).
test: test-deps build
	@scripts/run-tests.sh $(BUILD_DIR)
ifeq ($(SANITIZE),1)
	@$(MAKE) --no-print-directory unit-asan
endif

unit-asan: deps
	@cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DISR_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_DIR) --target isr_unit_tests
	@scripts/run-tests.sh $(ASAN_DIR) -L unit

bench: build
	@scripts/install-deps.sh bench
	@bench/run-all.sh $(BUILD_DIR)

format:
	@git ls-files '*.cpp' '*.hpp' '*.c' | xargs clang-format -i

clean:
	rm -rf build
