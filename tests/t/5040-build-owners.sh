#!/bin/sh
test_description='gild build: fowners and fperms (owners by name and number, setuid) recorded in the package'
. "$(dirname "$0")/lib.sh"

# image_listing PKG [TAR-OPTIONS]: tar -tv of the package's image
image_listing() {
	p=$1 && shift &&
	tar -xOf "$p" --wildcards "*/image.tar.zst" | zstd -dc | tar -tvf - "$@" |
		awk "{print \$1, \$2, \$6}"
}

test_expect_success SANDBOX 'fowners and fperms (setuid, setgid directory) reach the package' '
	cp -r "$FIXTURES/build-basic" t &&
	{ gild -C t build app-misc/owned >out 2>err || { cat err; false; }; } &&
	pkg=$(ls t/var/packages/app-misc/owned-1-*.gpkg.tar) &&
	gild pkg files "$pkg" >files &&
	test_grep "^obj 4711 root:wheel [0-9a-f]\{64\} /usr/bin/gsu$" files &&
	test_grep "^dir 2755 www:www - /var/lib/owned$" files &&
	test_grep "^dir 0755 www:www - /var/lib/owned/cache$" files &&
	test_grep "^dir 0755 root:root - /var/lib$" files
'

test_expect_success SANDBOX 'the image archive holds the owners by name and by number' '
	pkg=$(ls t/var/packages/app-misc/owned-1-*.gpkg.tar) &&
	image_listing "$pkg" >names &&
	test_grep "^-rws--x--x root/wheel image/usr/bin/gsu$" names &&
	test_grep "^drwxr-sr-x www/www image/var/lib/owned/$" names &&
	image_listing "$pkg" --numeric-owner >numbers &&
	test_grep "^-rws--x--x 0/10 image/usr/bin/gsu$" numbers &&
	test_grep "^drwxr-sr-x 81/81 image/var/lib/owned/$" numbers &&
	gild repo verify --pkgdir t/var/packages
'

test_expect_success SANDBOX 'a setuid file the recipe does not allow fails QA' '
	mkdir -p t/recipes/app-misc/sneaky &&
	cat >t/recipes/app-misc/sneaky/sneaky-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="Makes a setuid program without saying so"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	S="${WORKDIR}"
	src_install() {
		printf "#!/bin/sh\n" >sneaky && dobin sneaky
		fperms u+s /usr/bin/sneaky
	}
	EOF
	test_expect_code 2 gild -C t build app-misc/sneaky 2>err &&
	test_grep "gild: error: .app-misc/sneaky-1. fails QA: setuid: ./usr/bin/sneaky. is setuid/setgid (allow it in QA_SETUID_ALLOWED)" err &&
	! ls t/var/packages/app-misc/sneaky-* 2>/dev/null
'

test_expect_success SANDBOX 'an owner that no /etc/passwd names is an error' '
	mkdir -p t/recipes/app-misc/stranger &&
	cat >t/recipes/app-misc/stranger/stranger-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="Owns a file by a user nobody created"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	S="${WORKDIR}"
	src_install() {
		keepdir /var/lib/stranger
		fowners ghost /var/lib/stranger
	}
	EOF
	test_expect_code 2 gild -C t build app-misc/stranger 2>err &&
	test_grep "gild: error: .app-misc/stranger-1.: fowners: user .ghost. of ./var/lib/stranger. is in no /etc/passwd of the image, the build-time dependencies or the stage" err
'

test_expect_success SANDBOX 'fowners of a path that is not in the image fails the phase' '
	mkdir -p t/recipes/app-misc/typo &&
	cat >t/recipes/app-misc/typo/typo-1.recipe <<-\EOF &&
	EAPI=8
	DESCRIPTION="fowners on a misspelt path"
	SLOT="0"
	KEYWORDS="amd64"
	LICENSE="MIT"
	S="${WORKDIR}"
	src_install() {
		keepdir /var/lib/typo
		fowners root:root /var/lib/tyop
	}
	EOF
	test_expect_code 1 gild -C t build app-misc/typo 2>err &&
	test_grep ".../var/lib/tyop. is not in the image" err
'

test_done
