#!/bin/sh
test_description='verify-sig.class: a distfile is unpacked only with a good upstream signature, checked by gpgv with the keys the recipe ships'
. "$(dirname "$0")/lib.sh"

if command -v gpg >/dev/null 2>&1 && command -v gpgv >/dev/null 2>&1; then
	test_set_prereq GPG
else
	test_set_prereq_reason GPG "gpg or gpgv not installed (Debian packages gnupg, gpgv)"
fi

# new_key NAME: a signing key without passphrase in the keyring ./NAME.
new_key() {
	mkdir -p -m 0700 "$1" &&
	gpg --homedir "$1" --batch --passphrase "" --quick-gen-key \
		"$1 <$1@example.org>" ed25519 sign never 2>/dev/null &&
	gpg --homedir "$1" --armor --export >"$1.asc"
}

# sign_with NAME: the detached signature of the tree's distfile by NAME.
sign_with() {
	gpg --homedir "$1" --batch --yes --armor --detach-sign \
		-o t/var/distfiles/hello-1.0.tar.gz.asc t/var/distfiles/hello-1.0.tar.gz 2>/dev/null
}

# manifest: the Manifest of both distfiles as they are now.
manifest() {
	for f in t/var/distfiles/hello-1.0.tar.gz t/var/distfiles/hello-1.0.tar.gz.asc; do
		echo "DIST ${f##*/} $(stat -c %s "$f") BLAKE2B $(b2sum "$f" | cut -d" " -f1) SHA512 $(sha512sum "$f" | cut -d" " -f1)"
	done >t/recipes/app-misc/hello/Manifest
}

test_expect_success GPG 'setup: the hello recipe inherits verify-sig with upstream'"'"'s key in files/' '
	make_hello_tree t &&
	mkdir -p t/recipes/classes &&
	cp "$GILD_TOP/recipes/classes/verify-sig.class" t/recipes/classes/ &&
	echo app-crypt >>t/profiles/categories &&
	echo app-crypt/gnupg-2.2.40 >t/profiles/test/package.provided &&
	new_key upstream &&
	new_key intruder &&
	cp upstream.asc t/recipes/app-misc/hello/files/upstream.asc &&
	r=t/recipes/app-misc/hello/hello-1.0.recipe &&
	sed -i -e "s/^inherit simple-c$/inherit simple-c verify-sig/" \
		-e "s|^SRC_URI=.*|SRC_URI=\"https://example.org/dist/\${P}.tar.gz verify-sig? ( https://example.org/dist/\${P}.tar.gz.asc )\"\nVERIFY_SIG_OPENPGP_KEY_PATH=\"\${FILESDIR}/upstream.asc\"|" $r &&
	test_grep "^inherit simple-c verify-sig$" $r &&
	sign_with upstream &&
	manifest
'

test_expect_success GPG,SANDBOX 'a good signature: verified, then built' '
	gild -C t build app-misc/hello >out 2>err &&
	test_grep ": built " out
'

test_expect_success GPG,SANDBOX 'a signature by another key fails the build before unpacking, naming the file' '
	sign_with intruder &&
	manifest &&
	echo "# changed" >>t/recipes/app-misc/hello/hello-1.0.recipe &&
	test_expect_code 1 gild -C t build app-misc/hello >out 2>err &&
	test_grep "verify-sig: bad or unknown signature on .hello-1.0.tar.gz." err &&
	test_grep "No public key" err
'

test_expect_success GPG,SANDBOX 'a tampered distfile with its Manifest rewritten: the signature catches it' '
	sign_with upstream &&
	printf "x" >>t/var/distfiles/hello-1.0.tar.gz &&
	manifest &&
	test_expect_code 1 gild -C t build app-misc/hello >out 2>err &&
	test_grep "verify-sig: bad or unknown signature on .hello-1.0.tar.gz. (.*BAD signature" err
'

test_expect_success GPG,SANDBOX 'USE=-verify-sig skips the check (as Gentoo'"'"'s eclass)' '
	truncate -s -1 t/var/distfiles/hello-1.0.tar.gz &&
	sign_with intruder &&
	manifest &&
	USE=-verify-sig gild -C t build app-misc/hello >out 2>err &&
	test_grep ": built " out
'

test_done
