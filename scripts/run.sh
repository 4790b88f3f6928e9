#!/usr/bin/env bash
# scripts/run.sh: build virtbus and run virtbusd in the foreground.
#
#   scripts/run.sh [--session | --system] [VIRTBUSD-OPTIONS...]
#
# With neither option: the system bus when one is running and answers and we are root (our bus
# policy lets only root own org.libvirt there), otherwise a private session bus started here
# (scripts/session-bus.conf) that lives as long as virtbusd does. Other options go to virtbusd
# (e.g. --verbose, --config FILE). Stop with Ctrl-C.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir=${VIRTBUS_BUILD_DIR:-build}
[[ $builddir = /* ]] || builddir=$root/$builddir

mode=auto
args=()
config=
prev=
for a in "$@"; do
	case $a in
	--session) mode=session ;;
	--system) mode=system ;;
	*) args+=("$a") ;;
	esac
	case $prev in --config | -c) config=$a ;; esac
	case $a in --config=*) config=${a#--config=} ;; esac
	prev=$a
done

bash "$root/scripts/setup.sh"

virtbusd=$builddir/service/virtbusd
[[ -x $virtbusd ]] || { echo "run: $virtbusd was not built" >&2; exit 1; }

system_bus_answers() {
	[[ -S /run/dbus/system_bus_socket ]] &&
		timeout 5 busctl --system --timeout=3 call org.freedesktop.DBus /org/freedesktop/DBus \
			org.freedesktop.DBus GetId >/dev/null 2>&1
}

# Where virtbusd puts libvirt's sockets: unix_sock_dir from its configuration, else, as libvirt,
# /run/libvirt (system), $XDG_RUNTIME_DIR/libvirt, or without it $XDG_CACHE_HOME/libvirt or
# ~/.cache/libvirt (session). Only for the hints printed below.
sock_dir() {
	local conf=$config dir=
	if [[ -z $conf ]]; then
		if [[ $mode = system ]]; then
			conf=$(sed -n 's/^#define SYSCONFDIR "\(.*\)"$/\1/p' "$builddir/build-config.h")/virtbus/virtbusd.conf
		elif [[ ${XDG_CONFIG_HOME:-} = /* ]]; then
			conf=$XDG_CONFIG_HOME/virtbus/virtbusd.conf
		else
			conf=${HOME:-}/.config/virtbus/virtbusd.conf
		fi
	fi
	if [[ -r $conf ]]; then
		dir=$(sed -n 's/^[[:space:]]*unix_sock_dir[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$conf" | tail -n 1)
	fi
	if [[ -n $dir ]]; then
		printf '%s\n' "$dir"
	elif [[ $mode = system ]]; then
		printf '/run/libvirt\n'
	elif [[ ${XDG_RUNTIME_DIR:-} = /* ]]; then
		printf '%s/libvirt\n' "$XDG_RUNTIME_DIR"
	elif [[ ${XDG_CACHE_HOME:-} = /* ]]; then
		printf '%s/libvirt\n' "$XDG_CACHE_HOME"
	else
		printf '%s/.cache/libvirt\n' "${HOME:-}"
	fi
}

if [[ $mode = auto ]]; then
	if system_bus_answers && [[ $(id -u) -eq 0 ]]; then
		mode=system
	else
		mode=session
	fi
fi

if [[ $mode = system ]]; then
	system_bus_answers || { echo "run: no system bus answers on /run/dbus/system_bus_socket" >&2; exit 1; }
	# The bus lets root own org.libvirt only with our policy (it says "virtbus"). Unless an
	# installed copy is there, put it where dbus-daemon reads local policy.
	if ! grep -qs virtbus /etc/dbus-1/system.d/*.conf /usr/share/dbus-1/system.d/*.conf; then
		echo "run: installing $root/policy/org.libvirt.conf as /etc/dbus-1/system.d/virtbus.conf"
		install -m 0644 "$root/policy/org.libvirt.conf" /etc/dbus-1/system.d/virtbus.conf
		busctl --system call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
	fi
	sock=$(sock_dir)
	cat <<EOF

virtbusd is starting on the system bus as org.libvirt. Try, in another shell:
  busctl tree org.libvirt
  busctl call org.libvirt /org/libvirt/Test org.libvirt.Connect ListDomains u 0
  gdbus call --system --dest org.libvirt --object-path /org/libvirt/Test --method org.libvirt.Connect.ListDomains 0
and over libvirt's remote protocol:
  virsh -c 'qemu+unix:///system?socket=$sock/libvirt-sock' list --all
  virsh -c 'test+unix:///default?socket=$sock/libvirt-sock' list --all
Stop it with Ctrl-C.

EOF
	exec "$virtbusd" --system "${args[@]}"
fi

# A private session bus, ended when virtbusd ends.
bus_pid=
cleanup() {
	if [[ -n $bus_pid ]]; then
		kill "$bus_pid" 2>/dev/null || true
	fi
	rm -f "$builddir/session-bus.env"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mapfile -t bus < <(dbus-daemon --config-file="$root/scripts/session-bus.conf" --fork \
	--print-address=1 --print-pid=1)
address=${bus[0]:-}
bus_pid=${bus[1]:-}
[[ -n $address && -n $bus_pid ]] || { echo "run: could not start a private session bus" >&2; exit 1; }
export DBUS_SESSION_BUS_ADDRESS=$address

printf "export DBUS_SESSION_BUS_ADDRESS='%s'\n" "$address" >"$builddir/session-bus.env"
sock=$(sock_dir)
cat <<EOF

virtbusd is starting on a private session bus (dbus-daemon pid $bus_pid) as org.libvirt.
Reach it from another shell (or: source $builddir/session-bus.env):
  export DBUS_SESSION_BUS_ADDRESS='$address'
  busctl --user tree org.libvirt
  busctl --user call org.libvirt /org/libvirt/Test org.libvirt.Connect ListDomains u 0
  gdbus call --session --dest org.libvirt --object-path /org/libvirt/Test --method org.libvirt.Connect.ListDomains 0
and over libvirt's remote protocol (any shell):
  virsh -c 'qemu+unix:///session?socket=$sock/libvirt-sock' list --all
  virsh -c 'test+unix:///default?socket=$sock/libvirt-sock' list --all
Stop it with Ctrl-C; the private bus goes with it.

EOF
# Not exec: this shell stays to end the private bus when virtbusd exits.
"$virtbusd" --session "${args[@]}"
