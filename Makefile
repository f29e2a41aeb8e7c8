# Tripartite — the two quick-start commands and the developer targets.
# `make demo` and `make test` install what is missing (Debian packages), build, and run.
BUILD ?= build
TYPE ?= RelWithDebInfo
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: deps build demo test bench asan clean format

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(TYPE) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)/cli/tripartite

test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

bench: deps
	@cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-bench -j$(JOBS)
	@bash scripts/bench.sh build-bench

asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTRIPARTITE_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build build-asan -j$(JOBS)
	@ctest --test-dir build-asan --output-on-failure -j$(JOBS) -LE slow

clean:
	rm -rf $(BUILD) build-asan build-bench

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')
