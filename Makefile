# SPDX-License-Identifier: GPL-2.0
#
# landlock-rs: exec-time Landlock enforcement for Linux 7.3.
# See README.md.  Every target bootstraps what it needs.

.PHONY: help check check-debug check-kcsan check-unpatched run shell bench series series-check gauntlet coverage config-matrix kunit model model-debug kernel guest-tests toolchain tree refresh-patches

help:
	@echo "make check            build everything, run every test, print N passed, N failed"
	@echo "make run              build the kernel and boot QEMU into the demonstration"
	@echo "make shell            a shell on the patched kernel, with a Debian userland (virtme-ng)"
	@echo "make check-debug      make check on a KASAN/kmemleak/lockdep kernel (slow)"
	@echo "make check-kcsan      make check on a KCSAN (data-race detector) kernel (slow)"
	@echo "make check-unpatched  the upstream selftests on unpatched 7.3, for comparison"
	@echo "make bench            exec-path cost, patched vs unpatched 7.3 (out/bench.json)"
	@echo "make series           the patch series against 7.3 in out/series/ (SIGNOFF=\"Name <mail>\")"
	@echo "make series-check     apply the series to pristine 7.3, build and check every patch"
	@echo "make gauntlet         the Landlock maintainer's checks (sparse, W=1, clang-format...,"
	@echo "                      coverage, config matrix): one table"
	@echo "make coverage         the guest suite on a gcov kernel: coverage of the series' lines"
	@echo "make config-matrix    build (and boot) the configurations a build bot tries"
	@echo "make kunit            the Landlock KUnit suites through kunit.py, as the maintainer runs them"
	@echo "make model            long run of the exec-time model checker (out/model/model.json)"
	@echo "make model-debug      the same on the debug kernel, then a kmemleak scan (out/model-debug/)"
	@echo "make kernel           only build the patched kernel (bzImage)"
	@echo "make guest-tests      only build the static programs run in the guest"
	@echo "make toolchain        only create the toolchain (Debian trixie root)"
	@echo "make tree             only prepare the patched source tree"
	@echo "make refresh-patches  write edits made in the tree back to patches/"

check:
	@scripts/check

check-debug:
	@scripts/check --debug

check-kcsan:
	@scripts/check --kcsan

run:
	@scripts/demo

shell:
	@scripts/userland-vm

bench:
	@scripts/bench

check-unpatched:
	@scripts/check-unpatched

series:
	@SIGNOFF="$(SIGNOFF)" scripts/series

series-check: series
	@scripts/series-check

gauntlet:
	@scripts/gauntlet

coverage: kernel
	@scripts/coverage

config-matrix: kernel
	@scripts/config-matrix

kunit:
	@scripts/kunit

model: kernel
	@scripts/model

model-debug:
	@scripts/build-kernel --debug
	@scripts/model --debug

kernel:
	@scripts/build-kernel

guest-tests: kernel
	@scripts/build-guest-tests

toolchain:
	@scripts/toolchain ensure

tree:
	@scripts/kernel-tree prepare

refresh-patches:
	@scripts/kernel-tree refresh
