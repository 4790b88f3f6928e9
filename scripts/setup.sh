#!/usr/bin/env bash
# scripts/setup.sh: install what virtbus needs from Debian 12's packages, then configure and
# build it into build/ (or $VIRTBUS_BUILD_DIR).
#
# Idempotent: when every package is already installed it asks no registry and only runs ninja.
# Works as root; otherwise prefixes apt-get with sudo.
set -euo pipefail

# Everything the project installs, in one place.
#   build:      compiler, meson/ninja, the libraries virtbusd links
#   tests:      cmocka, a D-Bus daemon for private buses, busctl (systemd), gdbus (libglib2.0-bin),
#               python3-dbus/gi clients, virsh and python3-libvirt as real libvirt clients,
#               valgrind, clang (sanitizers, fuzzing)
#   benchmarks: libvirt-daemon (libvirtd 9.0) and libvirt-dbus 1.4.1, the side-by-side reference;
#               util-linux (unshare) to run libvirtd in a private mount namespace
#   qemu:       qemu-system-x86 and qemu-utils (the hypervisor and qemu-img), xz-utils for the
#               test guest (tests/guest/build-guest.sh downloads the kernel and busybox-static
#               .debs itself and installs neither), ovmf for the UEFI case of the launch test,
#               virtinst (virt-install) whose default XML a test boots, qemu-guest-agent
#               (its qemu-ga and libraries are copied into the test guest: tests/guest)
#   docs:       man-db and groff-base, to render the man pages
#   remote:     gnutls (the TLS listener), gnutls-bin (certtool: the tests' private PKI),
#               cyrus-sasl with its DIGEST-MD5/SCRAM plugins, sasl2-bin (saslpasswd2: the tests' sasldb)
#   networks:   libnl-3/libnl-route-3 (bridges, taps, routes), libnftables (the firewall),
#               dnsmasq-base (DHCP and DNS of virtual networks), nftables (nft, to inspect rules in tests),
#               iputils-ping and busybox-static (udhcpc) for the tests' guests in network namespaces
PACKAGES=(
	gcc libc6-dev meson ninja-build pkg-config
	libsystemd-dev libxml2-dev libjson-c-dev
	libcmocka-dev
	dbus dbus-daemon dbus-bin systemd libglib2.0-bin
	python3 python3-dbus python3-gi
	libvirt-clients python3-libvirt
	valgrind clang libclang-rt-14-dev
	libvirt-daemon libvirt-dbus util-linux
	qemu-system-x86 qemu-utils xz-utils ovmf virtinst
	libiscsi-dev tgt qemu-block-extra
	man-db groff-base
	libpolkit-gobject-1-dev polkitd
	libgnutls28-dev gnutls-bin
	libsasl2-dev libsasl2-modules sasl2-bin
	openssh-server openssh-client netcat-openbsd
	libnl-3-dev libnl-route-3-dev libnftables-dev dnsmasq-base nftables iputils-ping busybox-static
	krb5-kdc krb5-admin-server krb5-user libsasl2-modules-gssapi-mit
	lvm2 scrub
	libselinux1-dev
	qemu-guest-agent
	cockpit-bridge cockpit-ws cockpit-machines chromium chromium-driver python3-selenium
	virt-manager xvfb x11-apps gir1.2-gtk-vnc-2.0 gir1.2-spiceclientgtk-3.0
	dbus-daemon at-spi2-core libatk-adaptor python3-pyatspi gir1.2-atspi-2.0
	isolinux syslinux-common xorriso
	iproute2
	swtpm swtpm-tools
)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${VIRTBUS_BUILD_DIR:-build}

log() { printf 'setup: %s\n' "$*" >&2; }

# Which of PACKAGES are not installed? One dpkg-query call for all of them.
missing_packages() {
	local installed
	installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null |
		awk '$2 == "install" && $3 == "ok" && $4 == "installed" { print $1 }' || true)
	local p
	for p in "${PACKAGES[@]}"; do
		grep -qxF "$p" <<<"$installed" || printf '%s\n' "$p"
	done
}

mapfile -t missing < <(missing_packages)
if ((${#missing[@]})); then
	log "installing: ${missing[*]}"
	sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null || { log "not root and no sudo: install ${missing[*]} by hand"; exit 1; }
		sudo=(sudo)
	fi
	apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y
		-o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
	"${apt[@]}" update
	# No recommends: libvirt-daemon would otherwise bring all of QEMU, which the reference side
	# of the benchmark (the test:///default driver) does not need.
	if ! "${apt[@]}" install --no-install-recommends "${missing[@]}"; then
		log "install failed; refreshing the package lists and trying once more"
		"${apt[@]}" update
		"${apt[@]}" install --no-install-recommends "${missing[@]}"
	fi
	mapfile -t still < <(missing_packages)
	if ((${#still[@]})); then
		log "still missing after install: ${still[*]}"
		exit 1
	fi
else
	log "all ${#PACKAGES[@]} packages present"
fi

# The account qemu:///system runs its guests' QEMU as (qemu.conf's default user, as Debian's
# libvirt creates libvirt-qemu): a system user without a login, in the kvm group for /dev/kvm.
if [[ $(id -u) -eq 0 ]] && ! getent passwd virtbus-qemu >/dev/null; then
	log "creating the system user virtbus-qemu"
	groups=()
	getent group kvm >/dev/null && groups=(-G kvm)
	useradd --system --user-group "${groups[@]}" --home-dir /nonexistent --no-create-home \
		--shell /usr/sbin/nologin --comment "virtbus QEMU guests" virtbus-qemu
elif ! getent passwd virtbus-qemu >/dev/null; then
	log "not root: create the user virtbus-qemu by hand (useradd --system --user-group virtbus-qemu)"
fi

cd "$root"
if [[ -f $builddir/meson-private/coredata.dat ]]; then
	meson setup --reconfigure "$builddir"
else
	meson setup "$builddir"
fi
ninja -C "$builddir"
