#!/bin/sh
test_description='QA elf-deps: what an ELF file needs at run time comes from the package or its RDEPEND, never only from the stage'
. "$(dirname "$0")/lib.sh"

# elf_recipe NAME RDEPEND DEPEND COMPILE INSTALL: a recipe in app-misc.
elf_recipe() {
	mkdir -p t/recipes/app-misc/$1 &&
	cat >t/recipes/app-misc/$1/$1-1.recipe <<-RECIPE
	EAPI=8
	DESCRIPTION="elf-deps test package $1"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	RDEPEND="$2"
	DEPEND="$3"
	S="\${WORKDIR}"
	src_compile() {
		$4
	}
	src_install() {
		$5
	}
	RECIPE
}

test_expect_success 'setup: a library, and programs linking it or the stage' '
	cp -r "$FIXTURES/build-basic" t &&
	rm -rf t/recipes/app-misc/* &&
	elf_recipe libfoo "" "" \
		"echo \"int foo(void) { return 42; }\" >foo.c && \${CC:-cc} -fPIC -shared -Wl,-soname,libfoo.so.1 -o libfoo.so.1 foo.c || die" \
		"insinto /usr/lib && doins libfoo.so.1 && dosym libfoo.so.1 /usr/lib/libfoo.so" &&
	main="echo \"int foo(void); int main(void) { return foo() != 42; }\" >main.c && \${CC:-cc} -o main main.c -lfoo || die" &&
	elf_recipe uses-rdep "app-misc/libfoo" "app-misc/libfoo" "$main" "dobin main" &&
	elf_recipe uses-depend-only "" "app-misc/libfoo" "$main" "dobin main" &&
	elf_recipe uses-stage "" "" \
		"echo \"#include <openssl/crypto.h>\" >s.c && echo \"int main(void) { return OPENSSL_version_major() == 0; }\" >>s.c && \${CC:-cc} -o s s.c -lcrypto || die" \
		"dobin s"
'

test_expect_success SANDBOX 'a library of a runtime dependency, and the stage libc of the glibc profile, pass' '
	gild -C t build app-misc/uses-rdep >out 2>err &&
	test_grep "^>>> app-misc/uses-rdep-1: built " out &&
	! test_grep "elf-deps" err
'

test_expect_success SANDBOX 'a library only a build-time dependency ships names it and asks for RDEPEND' '
	test_expect_code 2 gild -C t build app-misc/uses-depend-only >out 2>err &&
	test_grep "elf-deps: ./usr/bin/main. needs library .libfoo.so.1., which only its build-time dependency app-misc/libfoo-1 ships: add it to RDEPEND" err &&
	! ls t/var/packages/app-misc/uses-depend-only-* 2>/dev/null
'

test_expect_success SANDBOX 'a library only the build stage has is refused, naming the file and the library' '
	test_expect_code 2 gild -C t build app-misc/uses-stage >out 2>err &&
	test_grep "elf-deps: ./usr/bin/s. needs library .libcrypto.so.3., which no package of its RDEPEND (nor the profile.s libc) ships: only the build stage has it" err
'

test_expect_success SANDBOX 'QA_FATAL without elf-deps turns it into a warning' '
	echo "QA_FATAL=\"outside world-writable setuid builddir\"" >>t/etc/gild.conf &&
	gild -C t build app-misc/uses-stage >out 2>err &&
	test_grep "QA elf-deps: ./usr/bin/s. needs library .libcrypto.so.3." err &&
	test_grep "^>>> app-misc/uses-stage-1: built " out
'

test_done
