#!/bin/sh
# Starts coturn with deploy/coturn/turnserver.conf and the shared secret from the environment, without the secret
# ever being in the repository or on turnserver's command line (where `ps` shows it to every user):
#   TURN_SECRET=... [TURN_CERT=/path/fullchain.pem TURN_PKEY=/path/privkey.pem] [TURN_REALM=...] deploy/coturn/run.sh [turnserver options]
# The effective configuration is written to $TURN_RUNTIME_DIR (default /run/qualmeet-coturn), mode 600.
set -eu
: "${TURN_SECRET:?set TURN_SECRET to the static-auth-secret shared with QualMeet (the same on every TURN server)}"
here=$(cd "$(dirname "$0")" && pwd)
dir=${TURN_RUNTIME_DIR:-/run/qualmeet-coturn}
umask 077
mkdir -p "$dir"
conf="$dir/turnserver.conf"
sed -e "s#^cert=.*#cert=${TURN_CERT:-/etc/coturn/certs/fullchain.pem}#" \
    -e "s#^pkey=.*#pkey=${TURN_PKEY:-/etc/coturn/certs/privkey.pem}#" \
    -e "s#^realm=.*#realm=${TURN_REALM:-qualmeet}#" \
    "$here/turnserver.conf" > "$conf"
printf 'static-auth-secret=%s\n' "$TURN_SECRET" >> "$conf"
exec turnserver -c "$conf" "$@"
