# ebuild.sh: the shell library every build phase runs with (bash).
#
# The phase driver runs each phase in the sandbox as
#
#   bash -c 'source ebuild.sh; source CLASS.class...; source RECIPE;
#            ebuild_run_phase src_compile'
#
# with P PN PV PR PVR PF CATEGORY WORKDIR S T D ED FILESDIR DISTDIR USE IUSE
# CFLAGS CXXFLAGS LDFLAGS CHOST MAKEOPTS SOURCE_DATE_EPOCH EAPI A in the
# environment (CBUILD, CTARGET, ABI, SLOT optional; IUSE_EFFECTIVE adds flags
# use() accepts, GILD_CLASSDIR makes inherit source the classes itself,
# GILD_USER_PATCHES is the user's patch directory). It provides the package
# manager commands of PMS chapter 12 ("Available commands",
# pkg-mgr-commands.tex) and the default phase functions of PMS chapter 9
# (ebuild-functions.tex) for EAPI 7 and 8; what EAPI 7+ bans dies saying so.
#
# PMS wants emake and the do*/new* helpers to be external programs (callable
# from xargs). Sourcing this file defines them as functions and, when T is
# set, also puts scripts named after them in ${T}/.ebuild-helpers on PATH,
# which run this file with the helper's name. The state the
# helpers read (DESTTREE, INSDESTTREE, INSOPTIONS, ...) is exported for them.

# ---- output (PMS 12.3.5: ewarn/eerror never go to stdout) -----------------

_eb_msg() { # prefix message...
	local p=$1
	shift
	printf ' %s %b\n' "$p" "$*" >&2
}
einfo() { _eb_msg '*' "$*"; }
einfon() { printf ' * %b' "$*" >&2; }
elog() { _eb_msg '*' "$*"; }
ewarn() { _eb_msg '* WARNING:' "$*"; }
eerror() { _eb_msg '* ERROR:' "$*"; }
ebegin() { _eb_msg '*' "$* ..."; }

# eend STATUS [MESSAGE...]: report the end of an ebegin; returns STATUS.
eend() {
	local status=${1:-0}
	shift
	if [[ ${status} == 0 ]]; then
		printf ' [ ok ]\n' >&2
	else
		[[ $# -gt 0 ]] && eerror "$*"
		printf ' [ !! ]\n' >&2
	fi
	return "${status}"
}

# ---- failure (PMS 12.3.1, 12.3.6) ------------------------------------------

# The shell that sourced us: die in a subshell must end it too (PMS does not
# guarantee that, bash needs a signal for it).
_EB_MAIN_PID=$$
trap 'exit 1' USR1

# die [-n] MESSAGE: print the failure and abort the phase (exit 1). With -n
# (EAPI 6+) it only returns 1 when run under nonfatal.
die() {
	if [[ $1 == -n ]]; then
		shift
		if [[ -n ${_EB_NONFATAL} ]]; then
			eerror "$*"
			return 1
		fi
	fi
	local i
	{
		printf 'ERROR: %s/%s failed (%s phase):\n' "${CATEGORY}" "${PF}" \
			"${EBUILD_PHASE:-unknown}"
		printf '  %s\n' "${*:-(no error message)}"
		printf 'Call stack:\n'
		for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
			printf '  %s, line %s: called %s\n' "${BASH_SOURCE[i]##*/}" \
				"${BASH_LINENO[i - 1]}" "${FUNCNAME[i - 1]}"
		done
	} >&2
	[[ ${BASHPID} != "${_EB_MAIN_PID}" ]] && kill -s USR1 "${_EB_MAIN_PID}" 2>/dev/null
	exit 1
}

# assert [MESSAGE]: die when any command of the last pipeline failed.
assert() {
	local -a statuses=("${PIPESTATUS[@]}") # before any other command
	local status
	for status in "${statuses[@]}"; do
		[[ ${status} == 0 ]] || die "$@"
	done
}

# nonfatal COMMAND...: a helper's failure returns non-zero instead of dying
# (explicit die/assert still abort).
nonfatal() {
	_EB_NONFATAL=1 "$@"
}

# _eb_fail MESSAGE: a helper failed: die, or return 1 under nonfatal.
_eb_fail() {
	if [[ -n ${_EB_NONFATAL} ]]; then
		eerror "$*"
		return 1
	fi
	die "$@"
}

# Commands EAPI 7 and 8 ban (PMS 12.3.2): calling one aborts the build.
_eb_banned() {
	die "'$1' is banned in EAPI ${EAPI:-8}${2:+: $2}"
}
einstall() { _eb_banned einstall "use emake DESTDIR=\"\${D}\" install"; }
dohtml() { _eb_banned dohtml "use dodoc -r or HTML_DOCS"; }
dolib() { _eb_banned dolib "use dolib.so or dolib.a"; }
libopts() { _eb_banned libopts; }
dohard() { _eb_banned dohard; }
dosed() { _eb_banned dosed "use sed -i"; }

# ---- sandbox and package manager queries (PMS 12.3.3, 12.3.4) -------------

# gild's sandbox is a mount namespace decided before the phase starts, so
# these have nothing left to change.
addread() { :; }
addwrite() { :; }
addpredict() { :; }
adddeny() { :; }

# A build sees its dependencies as unpacked images, with no record of
# what is installed: a wrong answer would be worse than a clear stop.
has_version() { die "has_version is not available in gild's build phases ('$*')"; }
best_version() { die "best_version is not available in gild's build phases ('$*')"; }

eqawarn() { ewarn "QA: $*"; }

# ---- USE and lists (PMS 12.3.9, 12.3.10) -----------------------------------

has() {
	local needle=$1 x
	shift
	for x in "$@"; do
		[[ ${x} == "${needle}" ]] && return 0
	done
	return 1
}
# EAPI 8 removed hasq, hasv and useq (PMS table "Banned commands").
_eb_eapi8_banned() {
	[[ ${EAPI:-8} == 8 ]] && _eb_banned "$1"
	return 0
}
hasv() { _eb_eapi8_banned hasv; has "$@" && echo "$1"; }
hasq() { _eb_eapi8_banned hasq; has "$@"; }

# IUSE as the driver passed it (the recipe's and its classes'): sourcing
# the recipe afterwards sets IUSE to the recipe's own flags only.
_EB_IUSE_ENV=${IUSE}

# The flags use() may ask about (IUSE_EFFECTIVE, PMS 11.1.1): the recipe's
# IUSE without +/- defaults, IUSE_IMPLICIT, and the implicit USE_EXPAND
# groups gild's profiles declare (arch, elibc_*, kernel_*). The driver may
# pass the exact set as IUSE_EFFECTIVE.
_eb_in_iuse_effective() {
	local flag=$1 x
	# shellcheck disable=SC2086
	has "${flag}" ${IUSE_EFFECTIVE} && return 0
	for x in ${_EB_IUSE_ENV} ${IUSE} ${IUSE_IMPLICIT:-test}; do
		[[ ${x#[+-]} == "${flag}" ]] && return 0
	done
	case ${flag} in
	elibc_* | kernel_* | amd64 | arm64) return 0 ;;
	esac
	return 1
}

# use [!]FLAG: true when FLAG is enabled (or, with !, disabled). Asking for
# a flag outside IUSE is an error from EAPI 4 on (PMS table 12.x).
use() {
	local flag=$1 want=0
	if [[ ${flag} == !* ]]; then
		flag=${flag#!}
		want=1
	fi
	_eb_in_iuse_effective "${flag}" ||
		die "use: flag '${flag}' is not in IUSE of ${CATEGORY}/${PF}"
	# shellcheck disable=SC2086
	if has "${flag}" ${USE}; then
		return ${want}
	fi
	return $((1 - want))
}
useq() { _eb_eapi8_banned useq; use "$@"; }

# usev FLAG [VALUE]: print VALUE (EAPI 8; else the flag name) when enabled.
usev() {
	use "$1" || return 1
	echo "${2:-${1#!}}"
}

# usex FLAG [YES [NO [YES-SUFFIX [NO-SUFFIX]]]] (EAPI 5+).
usex() {
	if use "$1"; then
		echo "${2-yes}$4"
	else
		echo "${3-no}$5"
	fi
}

# in_iuse FLAG: FLAG is in IUSE_EFFECTIVE (EAPI 6+).
in_iuse() {
	[[ $# == 1 ]] || die "in_iuse takes exactly one flag"
	_eb_in_iuse_effective "$1"
}

# _eb_use_opt WITH WITHOUT FLAG [OPT [VALUE]]: use_with/use_enable.
_eb_use_opt() {
	local yes=$1 no=$2 flag=$3
	local opt=${4-${flag#!}}
	if use "${flag}"; then
		# An empty third argument counts as given (EAPI 4+).
		if [[ $# -ge 5 ]]; then
			echo "--${yes}-${opt}=$5"
		else
			echo "--${yes}-${opt}"
		fi
	else
		echo "--${no}-${opt}"
	fi
}
use_with() { _eb_use_opt with without "$@"; }
use_enable() { _eb_use_opt enable disable "$@"; }

# ---- build commands (PMS 12.3.7) -------------------------------------------

# emake ARGS...: make with the user's MAKEOPTS; arguments override them.
emake() {
	# MAKEOPTS is a list of words by definition (make.conf).
	# shellcheck disable=SC2086
	"${MAKE:-make}" ${MAKEOPTS} "$@" || _eb_fail "emake failed: ${MAKE:-make} ${MAKEOPTS} $*"
}

# _eb_configure_knows OPTION: the configure script's --help mentions it.
_eb_configure_knows() {
	[[ ${_EB_CONFIGURE_HELP} == *"$1"* ]]
}

# shellcheck disable=SC2120
# econf ARGS...: run an autoconf configure script with PMS's options.
econf() {
	local src=${ECONF_SOURCE:-.}
	[[ -x ${src}/configure ]] ||
		{ _eb_fail "econf: no configure script in '${src}'"; return 1; }
	_EB_CONFIGURE_HELP=$("${src}/configure" --help 2>/dev/null)
	local -a opts=(
		--prefix="${EPREFIX}"/usr
		${CBUILD:+--build="${CBUILD}"}
		--host="${CHOST}"
		${CTARGET:+--target="${CTARGET}"}
		--mandir="${EPREFIX}"/usr/share/man
		--infodir="${EPREFIX}"/usr/share/info
		--datadir="${EPREFIX}"/usr/share
		--sysconfdir="${EPREFIX}"/etc
		--localstatedir="${EPREFIX}"/var/lib
	)
	# Options newer EAPIs add, each only when configure knows it.
	_eb_configure_knows --datarootdir &&
		opts+=(--datarootdir="${EPREFIX}"/usr/share)       # EAPI 8
	_eb_configure_knows disable-dependency-tracking &&
		opts+=(--disable-dependency-tracking)              # EAPI 4
	_eb_configure_knows disable-silent-rules &&
		opts+=(--disable-silent-rules)                     # EAPI 5
	_eb_configure_knows --docdir &&
		opts+=(--docdir="${EPREFIX}/usr/share/doc/${PF}")  # EAPI 6
	_eb_configure_knows --htmldir &&
		opts+=(--htmldir="${EPREFIX}/usr/share/doc/${PF}/html")
	_eb_configure_knows --with-sysroot &&
		opts+=(--with-sysroot="${ESYSROOT:-/}")            # EAPI 7
	[[ ${EAPI:-8} != 7 ]] && _eb_configure_knows --enable-static &&
		opts+=(--disable-static)                           # EAPI 8
	local libdir
	libdir=$(_eb_econf_libdir "$@")
	[[ -n ${libdir} ]] && opts+=(--libdir="${libdir}")
	echo "${src}/configure ${opts[*]} $*" >&2
	"${src}/configure" "${opts[@]}" "$@" || {
		[[ -f config.log ]] && eerror "see $(pwd)/config.log"
		_eb_fail "econf failed"
	}
}

# --libdir per PMS algorithm "econf --libdir logic": only when ABI and
# LIBDIR_${ABI} are set, under the prefix the caller chose.
_eb_econf_libdir() {
	local prefix=${EPREFIX}/usr arg var
	for arg in "$@"; do
		[[ ${arg} == --prefix=* ]] && prefix=${arg#--prefix=}
	done
	[[ -n ${ABI} ]] || return 0
	var=LIBDIR_${ABI}
	[[ -n ${!var} ]] && echo "${prefix}/${!var}"
}

# ---- installation destinations (PMS 12.3.8) --------------------------------

export DESTTREE=/usr INSDESTTREE='' EXEDESTTREE='' DOCDESTTREE=''
export INSOPTIONS=-m0644 EXEOPTIONS=-m0755 DIROPTIONS=-m0755 LIBOPTIONS=-m0644

# _eb_dest PATH: _EB_DEST becomes PATH inside the image (ED), without
# doubled slashes. A variable, not output: each $(...) costs bash a fork,
# and the helpers run it for every call.
_eb_dest() {
	_EB_DEST="${ED:-${D}}/${1#/}"
	_EB_DEST=${_EB_DEST%/}
}

_eb_mkdir() { # dir (already under ED)
	[[ -d $1 ]] || install -d "$1" || _eb_fail "cannot create directory '$1'"
}

into() {
	if [[ $1 == / ]]; then DESTTREE=; else DESTTREE=${1%/}; fi
	export DESTTREE
	_eb_dest "${DESTTREE}"
	_eb_mkdir "${_EB_DEST}"
}
insinto() { export INSDESTTREE=${1%/}; }
exeinto() { export EXEDESTTREE=${1%/}; }
docinto() { if [[ $1 == / ]]; then DOCDESTTREE=; else DOCDESTTREE=${1%/}; fi; export DOCDESTTREE; }
# EAPI 8: insopts and exeopts affect doins and doexe only (PMS 12.3.8).
insopts() { export INSOPTIONS="$*"; }
exeopts() { export EXEOPTIONS="$*"; }
diropts() { export DIROPTIONS="$*"; }

# ---- installation commands (PMS 12.3.8) ------------------------------------

# _eb_install_files MODE-OPTS DESTDIR FILE...: install each file as a file.
# Ownership is not set: the packager writes every file as uid/gid 0
# (reproducible builds, DESIGN.md), whoever ran the build. One install
# makes the directory and installs the files (-D -t; a process costs a
# build 2 ms), 500 at a time (argv's limit). A name given twice is
# installed once, from its last file, as one install per file did (install
# will not overwrite a file it made in the same call).
_eb_install_files() {
	local mode=$1 dir=$2 f who=${_EB_CALLER:-${FUNCNAME[1]}} i
	local -A last=()
	local files=()
	shift 2
	[[ $# -gt 0 ]] || { _eb_fail "${who}: no files given"; return 1; }
	for f in "$@"; do
		[[ -f ${f} || -L ${f} ]] || { _eb_fail "${who}: '${f}' is not a file"; return 1; }
		last[${f##*/}]=${f}
	done
	for f in "$@"; do
		[[ ${last[${f##*/}]} == "${f}" ]] || continue
		files+=("${f}")
		last[${f##*/}]=
	done
	for ((i = 0; i < ${#files[@]}; i += 500)); do
		# shellcheck disable=SC2086
		install ${mode} -D -t "${dir}" -- "${files[@]:i:500}" ||
			{ _eb_fail "${who}: cannot install into '${dir#"${D%/}"}'"; return 1; }
	done
}

dobin() { _eb_dest "${DESTTREE}/bin" && _eb_install_files -m0755 "${_EB_DEST}" "$@"; }
dosbin() { _eb_dest "${DESTTREE}/sbin" && _eb_install_files -m0755 "${_EB_DEST}" "$@"; }

doexe() {
	[[ -n ${EXEDESTTREE} ]] || { _eb_fail "doexe: call exeinto first"; return 1; }
	_eb_dest "${EXEDESTTREE}"
	_eb_install_files "${EXEOPTIONS}" "${_EB_DEST}" "$@"
}

# _eb_libdir: the library directory (PMS algorithm "Determining the library
# directory"); gild's profiles set no ABI, so it is 'lib'.
_eb_libdir() {
	[[ -n ${CONF_LIBDIR_OVERRIDE} ]] && { echo "${CONF_LIBDIR_OVERRIDE}"; return; }
	local abi=${ABI:-${DEFAULT_ABI:-default}}
	local var=LIBDIR_${abi}
	echo "${!var:-${CONF_LIBDIR:-lib}}"
}

# _eb_dolib MODE FILE...: libraries; symlinks stay links to the same target.
_eb_dolib() {
	local mode=$1 dir f
	shift
	_eb_dest "${DESTTREE}/$(_eb_libdir)"
	dir=${_EB_DEST}
	_eb_mkdir "${dir}" || return 1
	local files=()
	for f in "$@"; do
		if [[ -L ${f} ]]; then
			ln -snf "$(readlink "${f}")" "${dir}/${f##*/}" || { _eb_fail "cannot link '${f}'"; return 1; }
		else
			files+=("${f}")
		fi
	done
	[[ ${#files[@]} -eq 0 ]] || _EB_CALLER=${FUNCNAME[1]} _eb_install_files "${mode}" "${dir}" "${files[@]}"
}
dolib.so() { _eb_dolib -m0755 "$@"; }
dolib.a() { _eb_dolib -m0644 "$@"; }

# _eb_doins_one SRC DESTDIR: a symlink or (with -r) a directory of doins.
_eb_doins_one() {
	local src=$1 dir=$2
	if [[ -L ${src} ]]; then
		# Symlinks are installed as symlinks (EAPI 4+).
		_eb_mkdir "${dir}" && ln -snf "$(readlink "${src}")" "${dir}/${src##*/}"
	else
		[[ -n ${_EB_RECURSIVE} ]] || { _eb_fail "${_EB_HELPER}: '${src}' is a directory (use ${_EB_HELPER} -r)"; return 1; }
		local sub="${dir}/${src##*/}" f entries=()
		_eb_mkdir "${sub}" || return 1
		for f in "${src}"/* "${src}"/.[!.]*; do
			[[ -e ${f} || -L ${f} ]] && entries+=("${f}")
		done
		[[ ${#entries[@]} -eq 0 ]] || _eb_doins_list "${sub}" "${entries[@]}"
	fi
}

# _eb_doins_list DESTDIR FILE...: symlinks and directories one by one,
# the files in one install.
_eb_doins_list() {
	local dir=$1 f files=()
	shift
	for f in "$@"; do
		if [[ -L ${f} || -d ${f} ]]; then
			_eb_doins_one "${f}" "${dir}" || return 1
		else
			files+=("${f}")
		fi
	done
	[[ ${#files[@]} -eq 0 ]] || _EB_CALLER=${_EB_HELPER} _eb_install_files "${_EB_OPTS}" "${dir}" "${files[@]}"
}

# _eb_doins_into HELPER DESTDIR OPTS [-r] FILE...: doins and dodoc's
# common part.
_eb_doins_into() {
	local _EB_HELPER=$1 dir=$2 f args=()
	local _EB_OPTS=$3 _EB_RECURSIVE=
	shift 3
	if [[ $1 == -r ]]; then
		_EB_RECURSIVE=1
		shift
	fi
	[[ $# -gt 0 ]] || { _eb_fail "${_EB_HELPER}: no files given"; return 1; }
	# A trailing slash changes nothing, as for cp (DIR/. is the contents).
	for f in "$@"; do
		args+=("${f%/}")
	done
	_eb_doins_list "${dir}" "${args[@]}"
}

doins() { _eb_dest "${INSDESTTREE}" && _eb_doins_into doins "${_EB_DEST}" "${INSOPTIONS}" "$@"; }
dodoc() { _eb_dest "/usr/share/doc/${PF}/${DOCDESTTREE}" && _eb_doins_into dodoc "${_EB_DEST}" -m0644 "$@"; }

dodir() {
	local d
	for d in "$@"; do
		_eb_dest "${d}"
		# shellcheck disable=SC2086
		install -d ${DIROPTIONS} "${_EB_DEST}" || { _eb_fail "dodir: cannot create '${d}'"; return 1; }
	done
}

# keepdir DIR...: a directory that stays when empty (a .keep file).
keepdir() {
	local d
	dodir "$@" || return 1
	for d in "$@"; do
		_eb_dest "${d}"
		: >"${_EB_DEST}/.keep_${CATEGORY}_${PN}-${SLOT:-0}" ||
			{ _eb_fail "keepdir: cannot write in '${d}'"; return 1; }
	done
}

# doman [-i18n=LANG] PAGE...: into /usr/share/man/[LANG/]manN/, N from the
# section suffix; foo.LANG.1 goes to LANG/man1/foo.1 (EAPI 2+) unless
# -i18n= is given, which wins and keeps the name (EAPI 4+).
doman() {
	local i18n='' lang page name base comp sec dir
	if [[ $1 == -i18n=* ]]; then
		i18n=${1#-i18n=}
		shift
	fi
	for page in "$@"; do
		name=${page##*/}
		base=${name}
		comp=
		if [[ ${base} =~ \.(gz|bz2|xz|Z)$ ]]; then
			comp=.${BASH_REMATCH[1]}
			base=${base%"${comp}"}
		fi
		sec=${base##*.}
		[[ ${base} == *.* && ${sec} =~ ^[0-9nl] ]] ||
			{ _eb_fail "doman: '${page}' has no section suffix"; return 1; }
		lang=${i18n}
		if [[ -z ${i18n} && ${base%.*} =~ \.([a-z][a-z](_[A-Z][A-Z])?)$ ]]; then
			lang=${BASH_REMATCH[1]}
			name=${base%.*}
			name=${name%.*}.${sec}${comp}
		fi
		_eb_dest "/usr/share/man/${lang:+${lang}/}man${sec:0:1}"
		dir=${_EB_DEST}
		_eb_mkdir "${dir}" || return 1
		install -m0644 "${page}" "${dir}/${name}" || { _eb_fail "doman: cannot install '${page}'"; return 1; }
	done
}

# The smaller install helpers of PMS 12.3.8.
doinfo() { _eb_dest /usr/share/info && _eb_install_files -m0644 "${_EB_DEST}" "$@"; }
doconfd() { _eb_dest /etc/conf.d && _eb_install_files "${INSOPTIONS}" "${_EB_DEST}" "$@"; }
doenvd() { _eb_dest /etc/env.d && _eb_install_files "${INSOPTIONS}" "${_EB_DEST}" "$@"; }
doinitd() { _eb_dest /etc/init.d && _eb_install_files "${EXEOPTIONS}" "${_EB_DEST}" "$@"; }

# domo FILE.mo...: DESTTREE/share/locale/<basename>/LC_MESSAGES/${PN}.mo
domo() {
	local f lang dir
	for f in "$@"; do
		lang=${f##*/}
		lang=${lang%.*}
		_eb_dest "${DESTTREE}/share/locale/${lang}/LC_MESSAGES"
		dir=${_EB_DEST}
		_eb_mkdir "${dir}" || return 1
		install -m0644 "${f}" "${dir}/${PN}.mo" || { _eb_fail "domo: cannot install '${f}'"; return 1; }
	done
}

# Compression and stripping lists (PMS 12.3.9): the packager compresses
# nothing and strips by FEATURES, so these only check their phase.
docompress() { [[ ${EBUILD_PHASE} == install ]] || die "docompress outside src_install"; }
dostrip() { [[ ${EBUILD_PHASE} == install ]] || die "dostrip outside src_install"; }

# The library directory name, as Gentoo's multilib code calls it.
get_libdir() { _eb_libdir; }

# _eb_new HELPER SRC NAME: run HELPER on SRC under the name NAME; SRC '-'
# is standard input (EAPI 6+).
_eb_new() {
	local helper=$1 src=$2 name=$3
	[[ -n ${name} && ${name} != */* ]] || { _eb_fail "new${helper#do}: bad name '${name}'"; return 1; }
	local tmp="${T:-/tmp}/.eb-new.$$"
	mkdir -p "${tmp}" || return 1
	if [[ ${src} == - ]]; then
		cat >"${tmp}/${name}" || return 1
	else
		[[ -f ${src} ]] || { _eb_fail "new${helper#do}: '${src}' is not a file"; return 1; }
		cp -P -- "${src}" "${tmp}/${name}" || return 1
	fi
	"${helper}" "${tmp}/${name}"
	local status=$?
	rm -rf "${tmp}"
	return ${status}
}
newbin() { _eb_new dobin "$@"; }
newsbin() { _eb_new dosbin "$@"; }
newins() { _eb_new doins "$@"; }
newexe() { _eb_new doexe "$@"; }
newdoc() { _eb_new dodoc "$@"; }
newman() { _eb_new doman "$@"; }
newlib.so() { _eb_new dolib.so "$@"; }
newlib.a() { _eb_new dolib.a "$@"; }
newconfd() { _eb_new doconfd "$@"; }
newenvd() { _eb_new doenvd "$@"; }
newinitd() { _eb_new doinitd "$@"; }

# _eb_relpath TARGET LINKDIR: TARGET relative to LINKDIR, both absolute,
# compared lexically (PMS: dosym -r does not resolve symlinks).
_eb_relpath() {
	local -a t=() d=() parts
	local x i=0 rel=
	IFS=/ read -ra parts <<<"$1"
	for x in "${parts[@]}"; do [[ -n ${x} && ${x} != . ]] && t+=("${x}"); done
	IFS=/ read -ra parts <<<"$2"
	for x in "${parts[@]}"; do [[ -n ${x} && ${x} != . ]] && d+=("${x}"); done
	while ((i < ${#t[@]} && i < ${#d[@]})) && [[ ${t[i]} == "${d[i]}" ]]; do
		((i += 1))
	done
	for ((x = i; x < ${#d[@]}; x++)); do rel+=../; done
	rel+=$(IFS=/ && echo "${t[*]:i}")
	echo "${rel:-.}"
}

# dosym [-r] TARGET LINK: LINK (in the image) pointing to TARGET; with -r
# (EAPI 8) an absolute TARGET becomes relative to LINK's directory.
dosym() {
	local relative=
	if [[ $1 == -r ]]; then
		relative=1
		shift
	fi
	[[ $# == 2 ]] || { _eb_fail "dosym: needs a target and a link name"; return 1; }
	local target=$1 link
	_eb_dest "$2"
	link=${_EB_DEST}
	if [[ -n ${relative} ]]; then
		[[ ${target} == /* ]] || { _eb_fail "dosym -r: target '${target}' is not absolute"; return 1; }
		local linkdir=${2%/*}
		target=$(_eb_relpath "${target}" "${linkdir:-/}")
	fi
	_eb_mkdir "${link%/*}" || return 1
	ln -snf "${target}" "${link}" || _eb_fail "dosym: cannot create '$2'"
}

# fperms/fowners: chmod/chown with absolute paths taken inside the image.
# The build user can neither chown nor set setuid/setgid bits (the sandbox
# refuses both), so the requests are also written to ${T}/.gild-attrs as
#   user NAME PATH | group NAME PATH | mode OCTAL PATH
# and gild applies them when it writes the image archive (build-attrs.c).

# _eb_attr_paths [-R] FILE...: the image paths (relative to D, with a
# leading slash), NUL-separated; -R adds everything below.
_eb_attr_paths() {
	local rec= f p d=${D%/}
	[[ $1 == -R ]] && { rec=1; shift; }
	for f in "$@"; do
		# one spelling per path: "/var//empty/" is "/var/empty", or the
		# request would match no file when the image is written
		while [[ ${f} == *//* ]]; do f=${f//\/\//\/}; done
		while [[ ${f} == ?*/ ]]; do f=${f%/}; done
		p=${d}/${f#/}
		[[ -e ${p} || -L ${p} ]] || { _eb_fail "'${f}' is not in the image"; return 1; }
		if [[ -n ${rec} ]]; then
			find "${p}" -print0
		else
			printf '%s\0' "${p}"
		fi
	done | while IFS= read -r -d '' p; do printf '%s\0' "/${p#"${d}"/}"; done
}

# _eb_attr KEY VALUE [-R] FILE...: one line per path into ${T}/.gild-attrs.
_eb_attr() {
	local key=$1 value=$2 p
	shift 2
	_eb_attr_paths "$@" | while IFS= read -r -d '' p; do
		printf '%s %s %s\n' "${key}" "${value}" "${p}"
	done >>"${T}/.gild-attrs"
}

# _eb_special_bits MODE: the setuid/setgid bits MODE asks for, in octal
# (0 for none): a number's 4000/2000, or u+s/g+s/+s/=s in a symbolic one.
_eb_special_bits() {
	local m=$1 item bits=0 who
	if [[ ${m} =~ ^[0-7]+$ ]]; then
		printf '%o' $(( 8#${m} & 06000 ))
		return
	fi
	for item in ${m//,/ }; do
		[[ ${item} =~ ^([ugoa]*)[+=][rwxXt]*s ]] || continue
		who=${BASH_REMATCH[1]}
		[[ -z ${who} || ${who} == *[ua]* ]] && bits=$(( bits | 04000 ))
		[[ -z ${who} || ${who} == *[ga]* ]] && bits=$(( bits | 02000 ))
	done
	printf '%o' "${bits}"
}

fperms() {
	local rec=() mode plain special p f
	[[ $1 == -R ]] && { rec=(-R); shift; }
	mode=$1
	shift
	special=$(_eb_special_bits "${mode}")
	if [[ ${mode} =~ ^[0-7]+$ ]]; then
		plain=$(printf '%o' $(( 8#${mode} & 01777 )))
	else
		plain=${mode//s/}
	fi
	chmod "${rec[@]}" "${plain}" "${@/#\//${ED:-${D}}/}" || { _eb_fail "fperms $* failed"; return 1; }
	[[ ${special} == 0 ]] && return 0
	_eb_attr_paths "${rec[@]}" "$@" | while IFS= read -r -d '' p; do
		f=${D%/}${p}
		[[ ! -L ${f} && ( -f ${f} || -d ${f} ) ]] || continue
		printf 'mode %o %s\n' $(( 8#$(stat -c %a "${f}") | 8#${special} )) "${p}"
	done >>"${T}/.gild-attrs"
}

fowners() {
	local rec=() owner user group
	[[ $1 == -R ]] && { rec=(-R); shift; }
	owner=$1
	shift
	[[ -n ${owner} ]] || { _eb_fail "fowners: no owner given"; return 1; }
	user=${owner%%[:.]*}
	[[ ${owner} == *[:.]* ]] && group=${owner#*[:.]}
	[[ -n ${user} ]] && { _eb_attr user "${user}" "${rec[@]}" "$@" || return 1; }
	[[ -n ${group} ]] && { _eb_attr group "${group}" "${rec[@]}" "$@" || return 1; }
	return 0
}

# ---- patches (PMS 12.3.12, EAPI 6+) ----------------------------------------

# eapply [PATCH-OPTIONS...] [--] FILE|DIR...: apply patches with
# patch -p1 -f -g0 --no-backup-if-mismatch plus the options given (which may
# override -p1); a directory applies its *.diff and *.patch in POSIX order.
eapply() {
	local -a popts=() files=()
	while [[ $# -gt 0 ]]; do
		case $1 in
		--) shift; files+=("$@"); break ;;
		-*) [[ ${#files[@]} -eq 0 ]] || { _eb_fail "eapply: option '$1' after a file"; return 1; }
		    popts+=("$1") ;;
		*) files+=("$1") ;;
		esac
		shift
	done
	[[ ${#files[@]} -gt 0 ]] || { _eb_fail "eapply: no patches given"; return 1; }
	local f p
	for f in "${files[@]}"; do
		if [[ -d ${f} ]]; then
			local -a list=()
			for p in "${f}"/*.diff "${f}"/*.patch; do [[ -f ${p} ]] && list+=("${p}"); done
			[[ ${#list[@]} -gt 0 ]] || { _eb_fail "eapply: no *.diff or *.patch in '${f}'"; return 1; }
			mapfile -t list < <(printf '%s\n' "${list[@]}" | LC_ALL=C sort)
			for p in "${list[@]}"; do _eb_patch "${p}" "${popts[@]}" || return 1; done
		else
			_eb_patch "${f}" "${popts[@]}" || return 1
		fi
	done
}

_eb_patch() { # file options...
	local f=$1
	shift
	einfo "Applying ${f##*/}"
	patch -p1 -f -g0 --no-backup-if-mismatch "$@" <"${f}" >"${T:-/tmp}/.eb-patch.log" 2>&1 || {
		cat "${T:-/tmp}/.eb-patch.log" >&2
		_eb_fail "eapply: '${f##*/}' does not apply"
		return 1
	}
}

# eapply_user: the user's own patches, from ${GILD_USER_PATCHES}/CATEGORY/
# {P-PR,P,PN} (the first that exists; Portage's /etc/portage/patches
# layout). Without that variable or directory it does nothing. Once per
# build (PMS: at most once).
eapply_user() {
	[[ -n ${_EB_USER_PATCHES_DONE} ]] && return 0
	_EB_USER_PATCHES_DONE=1
	[[ -n ${GILD_USER_PATCHES} ]] || return 0
	local d
	for d in "${P}-${PR}" "${P}" "${PN}"; do
		d="${GILD_USER_PATCHES}/${CATEGORY}/${d}"
		if [[ -d ${d} ]]; then
			eapply "${d}"
			return
		fi
	done
}

# ---- unpack (PMS 12.3.13) --------------------------------------------------

# unpack FILE...: the driver unpacks ${A} with libarchive itself; this is
# for recipes that unpack by hand, with the usual tools.
unpack() {
	local f src
	[[ $# -gt 0 ]] || { _eb_fail "unpack: no files given"; return 1; }
	for f in "$@"; do
		case ${f} in
		./*) src=${f} ;;
		/*) src=${f} ;;
		*/*) _eb_fail "unpack: '${f}': give a name in DISTDIR, ./path or /path"; return 1 ;;
		*) src="${DISTDIR}/${f}" ;;
		esac
		[[ -f ${src} ]] || { _eb_fail "unpack: '${src}' does not exist"; return 1; }
		_eb_unpack_one "${src}" || { _eb_fail "unpack: failed to unpack '${f}'"; return 1; }
	done
	# PMS: a+r,u+w,go-w on everything, a+x on directories.
	chmod -fR a+rX,u+w,go-w . 2>/dev/null
	return 0
}

_eb_unpack_one() {
	local src=$1 name=${1##*/}
	case ${name,,} in
	*.tar) tar -xof "${src}" ;;
	*.tar.gz | *.tgz | *.tar.z) tar -xozf "${src}" ;;
	*.tar.bz2 | *.tbz2 | *.tbz) tar -xojf "${src}" ;;
	*.tar.xz | *.txz) tar -xoJf "${src}" ;;
	*.tar.lz) tar -xo --lzip -f "${src}" ;;
	*.tar.zst) tar -xo --zstd -f "${src}" ;;
	*.zip | *.jar) unzip -qo "${src}" ;;
	*.gz | *.z) gzip -dc "${src}" >"${name%.*}" ;;
	*.bz2) bzip2 -dc "${src}" >"${name%.*}" ;;
	*.xz) xz -dc "${src}" >"${name%.*}" ;;
	*.zst) zstd -dcq "${src}" >"${name%.*}" ;;
	*) return 0 ;; # unrecognised formats are skipped silently (PMS)
	esac
}

# ---- default phase functions (PMS 9.1, EAPI 7/8) ---------------------------

_eb_have_makefile() {
	[[ -f Makefile || -f GNUmakefile || -f makefile ]]
}

default_src_unpack() {
	[[ -n ${A} ]] || return 0
	# shellcheck disable=SC2086
	unpack ${A}
}

# PATCHES may be an array or a whitespace-separated string (PMS 9.1.3).
default_src_prepare() {
	if [[ ${PATCHES@a} == *a* ]]; then
		[[ ${#PATCHES[@]} -gt 0 ]] && { eapply "${PATCHES[@]}" || return 1; }
	elif [[ -n ${PATCHES} ]]; then
		# shellcheck disable=SC2086
		eapply ${PATCHES} || return 1
	fi
	eapply_user
}

default_src_configure() {
	[[ -x ${ECONF_SOURCE:-.}/configure ]] || return 0
	# shellcheck disable=SC2119
	econf
}

default_src_compile() {
	_eb_have_makefile || return 0
	emake
}

# Runs 'check' or else 'test' when make knows the target (PMS 9.1.6), one
# job at a time: many test suites are not parallel-safe.
default_src_test() {
	_eb_have_makefile || return 0
	if "${MAKE:-make}" -n check >/dev/null 2>&1; then
		emake -j1 check
	elif "${MAKE:-make}" -n test >/dev/null 2>&1; then
		emake -j1 test
	fi
}

default_src_install() {
	if _eb_have_makefile; then
		emake DESTDIR="${D}" install || return 1
	fi
	einstalldocs
}

# einstalldocs: DOCS (or the usual README* ChangeLog ... when DOCS is
# unset) and HTML_DOCS into the doc directory (PMS 12.3.14, EAPI 6+).
einstalldocs() {
	local d
	if ! declare -p DOCS >/dev/null 2>&1; then
		for d in README* ChangeLog AUTHORS NEWS TODO CHANGES THANKS BUGS FAQ CREDITS CHANGELOG; do
			[[ -s ${d} ]] && { dodoc "${d}" || return 1; }
		done
	elif [[ ${DOCS@a} == *a* ]]; then
		[[ ${#DOCS[@]} -gt 0 ]] && { dodoc -r "${DOCS[@]}" || return 1; }
	elif [[ -n ${DOCS} ]]; then
		# shellcheck disable=SC2086
		dodoc -r ${DOCS} || return 1
	fi
	if [[ ${HTML_DOCS@a} == *a* ]]; then
		[[ ${#HTML_DOCS[@]} -gt 0 ]] && (docinto html && dodoc -r "${HTML_DOCS[@]}")
	elif [[ -n ${HTML_DOCS} ]]; then
		# shellcheck disable=SC2086
		(docinto html && dodoc -r ${HTML_DOCS})
	fi
}

default_pkg_nofetch() { :; }
default_pkg_setup() { :; }
default_pkg_preinst() { :; }
default_pkg_postinst() { :; }
default_pkg_prerm() { :; }
default_pkg_postrm() { :; }
default_pkg_config() { :; }

# default: the default function of the phase being run (EAPI 2+).
default() {
	local phase=${EBUILD_PHASE_FUNC} f
	if [[ -z ${phase} ]]; then
		for f in "${FUNCNAME[@]:1}"; do
			[[ ${f} == src_* || ${f} == pkg_* ]] && { phase=${f}; break; }
		done
	fi
	declare -F "default_${phase}" >/dev/null ||
		die "default: no default for phase '${phase:-none}'"
	"default_${phase}"
}

# ---- classes ---------------------------------------------------------------

# The variables whose values a class adds to instead of replacing (the
# recipe loader does the same for metadata; PMS 10.2 for eclasses).
_EB_INCREMENTAL=(IUSE REQUIRED_USE DEPEND BDEPEND RDEPEND PDEPEND IDEPEND
	RESTRICT PROPERTIES)

# inherit CLASS...: with GILD_CLASSDIR set, source GILD_CLASSDIR/CLASS.class
# once each. As Portage does for eclasses, what a class assigns to one of
# the variables above is collected apart (_EB_E_<VAR>) and the caller's
# value restored, so a recipe's later "IUSE=..." does not drop the
# classes' flags; ebuild_run_phase adds them back (_eb_merge_class_vars).
# Without GILD_CLASSDIR, the driver has sourced the classes itself and
# inherit only records their names in INHERITED.
inherit() {
	local c v f
	local -A saved
	for c in "$@"; do
		# shellcheck disable=SC2086
		has "${c}" ${INHERITED} && continue
		INHERITED="${INHERITED:+${INHERITED} }${c}"
		[[ -n ${GILD_CLASSDIR} ]] || continue
		f="${GILD_CLASSDIR}/${c}.class"
		[[ -f ${f} ]] || die "inherit: class '${c}' not found in '${GILD_CLASSDIR}'"
		for v in "${_EB_INCREMENTAL[@]}"; do
			saved[${v}]=${!v}
			unset "${v}"
		done
		# shellcheck disable=SC1090
		source "${f}" || die "inherit: sourcing '${f}' failed"
		for v in "${_EB_INCREMENTAL[@]}"; do
			local acc=_EB_E_${v}
			[[ -n ${!v} ]] && printf -v "${acc}" '%s' "${!acc:+${!acc} }${!v}"
			printf -v "${v}" '%s' "${saved[${v}]}"
		done
	done
}

# _eb_merge_class_vars: add the classes' values to the recipe's, once.
_eb_merge_class_vars() {
	[[ -n ${_EB_MERGED} ]] && return 0
	_EB_MERGED=1
	local v acc
	for v in "${_EB_INCREMENTAL[@]}"; do
		acc=_EB_E_${v}
		[[ -n ${!acc} ]] && printf -v "${v}" '%s' "${!v:+${!v} }${!acc}"
	done
	return 0
}

# ---- running a phase -------------------------------------------------------

# _eb_setup_toolchain: a C compiler for the profile's libc. On a musl
# CHOST without a ${CHOST}-gcc, build with the stage's musl-gcc wrapper
# (Debian's musl-tools) natively, through a ${CHOST}-gcc script in ${T}
# (so CC is a plain compiler name, as a real musl toolchain's, and no
# build path ends up in what records CC), with CBUILD=CHOST, so configure
# scripts run their test programs (the stage has musl's dynamic loader)
# instead of going into cross mode. On a glibc CHOST with the profile's
# glibc at /build/libc, the stage's gcc pointed at it (_eb_setup_glibc).
_eb_setup_toolchain() {
	local lib=/build/libc/usr/lib
	# once per build: the phases run in one shell, and CC is set after
	[[ -n ${_EB_TOOLCHAIN_SET} ]] && return 0
	_EB_TOOLCHAIN_SET=1
	if [[ -f ${lib}/libc.a && ( -n ${CC} ||
		( ${CHOST} != *-musl* && ! -f ${lib}/libc.so.6 ) ) ]]; then
		echo " * warning: the profile's libc at /build/libc is not used (CC=${CC:-unset}, CHOST=${CHOST}): this build takes the stage's" >&2
	fi
	[[ -z ${CC} ]] || return 0
	case ${CHOST} in
	*-musl*) _eb_setup_musl ;;
	*-gnu) [[ -f ${lib}/libc.so.6 ]] && _eb_setup_glibc ;;
	esac
	return 0
}

_eb_setup_musl() {
	local bin="${T:-/tmp}/.musl-toolchain"
	if [[ ! -x ${bin}/${CHOST}-gcc ]]; then
		type -P "${CHOST}-gcc" >/dev/null && return 0
		[[ -f /build/libc/usr/lib/libc.a ]] || type -P musl-gcc >/dev/null ||
			return 0
		_eb_make_musl_cc "${bin}" || return 0
	fi
	[[ :${PATH}: == *:"${bin}":* ]] || export PATH="${bin}:${PATH}"
	export CC="${CHOST}-gcc" CBUILD=${CBUILD:-${CHOST}}
}

# _eb_setup_glibc: ${CHOST}-gcc in ${T} runs the stage's gcc on the
# headers, crt files and libraries of the profile's glibc
# (GILD_IMPLICIT_BDEPEND, at /build/libc), never the stage's: --sysroot
# for the headers and for the paths in glibc's linker script (libc.so
# names /usr/lib/libc.so.6); -B and -L because a Debian gcc searches its
# multiarch directories, relative to its own prefix, before the sysroot's.
# The kernel headers and the build-time dependencies come back after them
# (_eb_cc_search_opts). Test programs still run: the stage's dynamic
# linker loads them with the stage's libc, of the same ABI.
_eb_setup_glibc() {
	local bin="${T:-/tmp}/.glibc-toolchain" opts
	if [[ ! -x ${bin}/${CHOST}-gcc ]]; then
		opts=$(_eb_cc_search_opts "${bin}") || return 0
		printf '#!/bin/sh\nexec gcc --sysroot=/build/libc -B/build/libc/usr/lib/ -L/build/libc/usr/lib %s "$@"\n' \
			"${opts}" >"${bin}/${CHOST}-gcc" &&
			chmod 755 "${bin}/${CHOST}-gcc" || return 0
	fi
	[[ :${PATH}: == *:"${bin}":* ]] || export PATH="${bin}:${PATH}"
	export CC="${CHOST}-gcc" CBUILD=${CBUILD:-${CHOST}}
}

# _eb_cc_search_opts DIR: the options that give a compiler confined to
# its libc (musl-gcc, or gcc with a sysroot) what it lacks: the stage's
# kernel headers, and only they, through an -idirafter directory made in
# DIR; the build-time dependencies' images at /build/deps (after the
# libc's headers; the loader finds their libraries in /usr/lib by itself,
# where they are laid over the stage).
_eb_cc_search_opts() {
	local kh=$1/kernel-headers d multi deps=/build/deps
	local -a opts=()
	mkdir -p "${kh}" || return 1
	for d in linux asm-generic mtd scsi; do
		[[ -d /usr/include/${d} ]] && ln -sfn "/usr/include/${d}" "${kh}/${d}"
	done
	multi=$(gcc -print-multiarch 2>/dev/null)
	[[ -n ${multi} && -d /usr/include/${multi}/asm ]] &&
		ln -sfn "/usr/include/${multi}/asm" "${kh}/asm"
	opts+=(-idirafter "${kh}")
	[[ -d ${deps}/usr/include ]] && opts+=(-idirafter "${deps}/usr/include")
	[[ -d ${deps}/usr/lib ]] && opts+=("-L${deps}/usr/lib")
	echo "${opts[*]}"
}

# _eb_make_musl_cc DIR: DIR/${CHOST}-gcc runs musl-gcc with what it lacks
# (_eb_cc_search_opts): musl-gcc hides /usr/include, where the kernel
# headers are, and searches only musl's own directories, not /usr/include
# and /usr/lib where the build-time dependencies are laid over the stage.
_eb_make_musl_cc() {
	local bin=$1 opts
	opts=$(_eb_cc_search_opts "${bin}") || return 1
	if [[ -f /build/libc/usr/include/stdio.h && -f /build/libc/usr/lib/libc.a ]]; then
		# the profile's libc from the tree (GILD_IMPLICIT_BDEPEND,
		# at /build/libc): its headers, crt files and libraries, never
		# the stage's
		_eb_write_musl_specs "${bin}/gild-musl.specs" /build/libc/usr || return 1
		printf '#!/bin/sh\nexec gcc %s "$@" -specs %s\n' "${opts}" \
			"${bin}/gild-musl.specs" >"${bin}/${CHOST}-gcc" &&
			chmod 755 "${bin}/${CHOST}-gcc"
		return
	fi
	printf '#!/bin/sh\nexec musl-gcc %s "$@"\n' "${opts}" >"${bin}/${CHOST}-gcc" &&
		chmod 755 "${bin}/${CHOST}-gcc"
}

# _eb_write_musl_specs FILE PREFIX: a gcc specs file, as musl's own
# musl-gcc wrapper writes one, for the musl installed under PREFIX (its
# include/ and lib/): nothing of the host's C library is searched.
_eb_write_musl_specs() {
	local inc=$2/include lib=$2/lib
	cat >"$1" <<-EOF
	%rename cpp_options old_cpp_options

	*cpp_options:
	-nostdinc -isystem ${inc} -isystem include%s %(old_cpp_options)

	*cc1:
	%(cc1_cpu) -nostdinc -isystem ${inc} -isystem include%s

	*link_libgcc:
	-L${lib} -L .%s

	*libgcc:
	libgcc.a%s %:if-exists(libgcc_eh.a%s)

	*startfile:
	%{!shared: ${lib}/Scrt1.o} ${lib}/crti.o crtbeginS.o%s

	*endfile:
	crtendS.o%s ${lib}/crtn.o

	*link:
	-dynamic-linker /lib/ld-musl-${CHOST%%-*}.so.1 -nostdlib %{shared:-shared} %{static:-static} %{rdynamic:-export-dynamic}

	EOF
}

# _eb_s_fallback_ok PHASE: may PHASE start in WORKDIR because S is missing?
# PMS 9.1.1: always in EAPI 0-3; later only with an empty A and when
# neither PHASE nor an earlier src_* phase is defined (by the recipe or a
# class), so a wrong S fails instead of packaging an empty image.
_eb_s_fallback_ok() {
	local p
	[[ ${EAPI:-0} == [0-3] ]] && return 0
	[[ -z ${A} ]] || return 1
	for p in src_unpack src_prepare src_configure src_compile src_test src_install; do
		declare -F "${p}" >/dev/null && return 1
		[[ ${p} == "$1" ]] && break
	done
	return 0
}

# ebuild_run_phase PHASE: run the recipe's (or a class's) PHASE function,
# or the default one, in the directory PMS gives: WORKDIR for src_unpack,
# S for the other src_* phases (WORKDIR when S is missing, as PMS allows).
ebuild_run_phase() {
	local phase=$1
	export EBUILD_PHASE_FUNC=${phase} EBUILD_PHASE=${phase#*_}
	_eb_merge_class_vars
	_eb_setup_toolchain
	case ${phase} in
	src_unpack) cd "${WORKDIR}" || die "cannot enter WORKDIR '${WORKDIR}'" ;;
	src_*)
		if [[ -d ${S} ]]; then
			cd "${S}" || die "cannot enter S '${S}'"
		else
			_eb_s_fallback_ok "${phase}" || die "S '${S}' does not exist (${phase})"
			cd "${WORKDIR}" || die "cannot enter WORKDIR '${WORKDIR}'"
		fi ;;
	pkg_*) ;;
	*) die "unknown phase '${phase}'" ;;
	esac
	# not `|| return`: that would turn a recipe's set -e off inside
	local rc
	if declare -F "${phase}" >/dev/null; then
		"${phase}"
	else
		"default_${phase}"
	fi
	rc=$?
	[[ ${rc} == 0 ]] || return "${rc}"
	[[ ${phase} == src_install ]] && _eb_record_setuid_allowed
	return 0
}

# _eb_strip_image: FEATURES=strip over ${D} after src_install, in the
# build's sandbox (binutils parse what the build produced, untrusted):
# the ELF files (by their magic, read with a builtin: a test per file in
# other processes cost more than the strip) and static archives, in byte
# order of their paths. A file without its owner's write bit gets it for
# the strip (which refuses a file it could not write) and its mode back.
# .comment goes (compiler versions); the GNU build-id note stays: it is an
# allocated section, and taking it out of a shared library shifts the
# section numbers its .dynsym records (strip cannot rewrite .dynsym), so
# the linker no longer sees a data symbol (musl's optarg) as data and
# makes text relocations instead of copy relocations: programs that musl
# then refuses to run. It is a hash of what the build wrote, reproducible
# with the build. With SPLITDEBUG set, the debug information goes to
# /usr/lib/debug/PATH.debug first. An archive strip cannot read stays.
_eb_strip_image() {
	local LC_ALL=C f magic o
	local -a elf=() ar=() was_off=()
	for o in globstar dotglob nullglob; do
		shopt -q "${o}" || was_off+=("${o}")
	done
	shopt -s globstar dotglob nullglob
	cd "${D%/}" || die "cannot enter '${D}'"
	# ./ first: a name that starts with a dash is no option to strip
	for f in ./**; do
		[[ -f ${f} && ! -L ${f} ]] || continue
		magic=
		IFS= read -r -d '' -n 4 magic <"${f}" 2>/dev/null
		if [[ ${magic} == $'\x7fELF' ]]; then
			elf+=("${f}")
		elif [[ ${f} == *.a ]]; then
			ar+=("${f}")
		fi
	done
	[[ ${#was_off[@]} -eq 0 ]] || shopt -u "${was_off[@]}"
	[[ $((${#elf[@]} + ${#ar[@]})) -gt 0 ]] || return 0
	echo ">>> Stripping ${D%/} ($((${#elf[@]} + ${#ar[@]})) file$([[ $((${#elf[@]} + ${#ar[@]})) == 1 ]] || echo s))"
	for f in "${ar[@]}"; do
		_eb_strip_one "${f}" strip -g -D "${f}"
	done
	for f in "${elf[@]}"; do
		if [[ -n ${SPLITDEBUG} ]]; then
			mkdir -p "usr/lib/debug/${f%/*}" &&
				_eb_strip_one "${f}" objcopy --only-keep-debug "${f}" "usr/lib/debug/${f}.debug" &&
				_eb_strip_one "${f}" objcopy --add-gnu-debuglink="usr/lib/debug/${f}.debug" "${f}" ||
				die "splitdebug: cannot split '${f}'"
		fi
		_eb_strip_one "${f}" strip --strip-unneeded -R .comment -D "${f}" ||
			die "strip: cannot strip '${f}'"
	done
}

# _eb_strip_one FILE COMMAND...: run COMMAND on FILE, writable meanwhile.
_eb_strip_one() {
	local f=$1 mode rc
	shift
	if [[ -w ${f} ]]; then
		"$@"
		return
	fi
	mode=$(stat -c %a "${f}") && chmod u+w "${f}" || return
	"$@"
	rc=$?
	chmod "${mode}" "${f}" || return
	return "${rc}"
}

# _eb_record_setuid_allowed: the recipe's QA_SETUID_ALLOWED (image paths
# that may be setuid/setgid), for gild's QA check of the fperms requests.
_eb_record_setuid_allowed() {
	local p
	for p in ${QA_SETUID_ALLOWED}; do
		printf 'setuid-allowed - %s\n' "${p}"
	done >>"${T}/.gild-attrs"
}

# ---- helpers as programs ---------------------------------------------------

_EB_HELPERS=(emake dobin dosbin doins doexe dodoc doman dodir keepdir dosym
	fperms fowners newbin newsbin newins newexe newdoc newman dolib.so dolib.a
	newlib.so newlib.a doinfo doconfd doenvd doinitd domo newconfd newenvd
	newinitd)

# _eb_link_helpers: ${T}/.ebuild-helpers/NAME, first on PATH, each a
# two-line script running 'bash ebuild.sh NAME "$@"' (no need for this file
# to be executable where the sandbox puts it). Written with builtins and
# one chmod: a build's T is new, and a fork per helper cost 60-90 ms.
_eb_link_helpers() {
	local self=${BASH_SOURCE[0]} dir=${T}/.ebuild-helpers name
	# gild's builds have them made already (build-phase.c)
	if [[ -n ${GILD_HELPERS} && -x ${GILD_HELPERS}/${_EB_HELPERS[-1]} ]]; then
		[[ :${PATH}: == *:"${GILD_HELPERS}":* ]] || export PATH="${GILD_HELPERS}:${PATH}"
		return 0
	fi
	[[ ${self} == /* ]] || self=${PWD}/${self}
	if [[ ! -x ${dir}/${_EB_HELPERS[-1]} ]]; then
		mkdir -p "${dir}" 2>/dev/null || return 0
		for name in "${_EB_HELPERS[@]}"; do
			printf '#!/bin/bash\nexec bash %q %q "$@"\n' "${self}" "${name}" >"${dir}/${name}" ||
				return 0
		done
		chmod 755 "${dir}/"* || return 0
	fi
	[[ :${PATH}: == *:"${dir}":* ]] || export PATH="${dir}:${PATH}"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	# Run as a program: 'bash ebuild.sh HELPER ARGS...' (what the
	# scripts in ${T}/.ebuild-helpers do).
	_eb_name=$1
	shift
	has "${_eb_name}" "${_EB_HELPERS[@]}" || die "ebuild.sh: '${_eb_name}' is not a helper"
	"${_eb_name}" "$@"
	exit
fi

[[ -n ${T} && -d ${T} ]] && _eb_link_helpers
