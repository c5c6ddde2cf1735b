# genq — the two commands a new machine needs: `make run` and `make test`.
SHELL := /bin/bash
BUILD ?= build
BUILD_ASAN ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
GENQ := $(BUILD)/genq
# Ninja for a new build directory when it is installed: it rebuilds only what changed
# (Make rewrote a flags file for every added source and so rebuilt the whole library).
# A directory configured earlier keeps its generator.
GENERATOR = $(if $(wildcard $(1)/CMakeCache.txt),,$(if $(shell command -v ninja),-G Ninja,))

.PHONY: all deps build build-asan run run-cluster test fuzz bench bench-quick bench-deps clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(call GENERATOR,$(BUILD)) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGENQ_WERROR=$${GENQ_WERROR:-OFF} $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Starts genq on http://127.0.0.1:8080 with SQLite under ./data and a synthetic worker,
# then prints a demo API key and a curl line (scripts/run-demo.sh).
run: build
	@bash scripts/run-demo.sh $(GENQ)

# genq scaled out on this machine: throwaway PostgreSQL, Redis and S3 (s3rver), three
# nodes behind nginx, two workers; prints the same demo lines (scripts/run-cluster.sh).
run-cluster: build
	@bash scripts/apt-install-missing.sh run-cluster nginx
	@bash scripts/run-cluster.sh $(GENQ)

test: build
	@bash scripts/run-tests.sh $(BUILD) $(BUILD_ASAN)

build-asan: deps
	cmake -S . -B $(BUILD_ASAN) $(call GENERATOR,$(BUILD_ASAN)) -DCMAKE_BUILD_TYPE=Debug -DGENQ_SANITIZE=ON -DGENQ_BENCH=OFF -DGENQ_WERROR=$${GENQ_WERROR:-OFF} $(CMAKE_FLAGS)
	cmake --build $(BUILD_ASAN) -j $(JOBS)

# genq against BullMQ/Redis, nginx, Node ws, pg-boss and graphile-worker on PostgreSQL
# (docs/benchmarks.md). bench-deps installs their Debian and npm packages; `make test`
# never needs them. Full mode < 20 min, quick mode < 3 min.
bench-deps:
	@bash bench/install-deps.sh

bench: build bench-deps
	@GENQ=$(GENQ) bash bench/run.sh full

bench-quick: build bench-deps
	@GENQ=$(GENQ) bash bench/run.sh quick

# libFuzzer targets (fuzz/, clang 16), each FUZZ_SECONDS (default 60); `make test` runs
# them briefly. Findings and logs in build-fuzz/ (scripts/fuzz.sh).
fuzz: deps
	@bash scripts/fuzz.sh $${FUZZ_SECONDS:-60} build-fuzz

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) build-fuzz
