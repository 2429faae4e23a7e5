#!/usr/bin/env bash
# A walk through QualMeet's REST API with nothing but bash and curl: the OpenAPI document, who the token belongs
# to, a meeting created, read back, listed and ended, and what a bad input answers.
#   QUALMEET_URL=http://localhost:3000 QUALMEET_TOKEN=qm_... bash walkthrough.sh
# The token needs the scope "meetings:manage" (Settings, API tokens).
set -euo pipefail

: "${QUALMEET_URL:?set QUALMEET_URL to the web app, e.g. http://localhost:3000}"
: "${QUALMEET_TOKEN:?set QUALMEET_TOKEN to an API token (qm_...) with the scope meetings:manage}"
API="${QUALMEET_URL%/}/api/v1"

STATUS=""
BODY=""

# call METHOD PATH [JSON]: the answer's status in STATUS, its body in BODY; the command is shown, the token not.
call() {
  local method=$1 path=$2 data=${3-}
  local args=(--silent --show-error --request "$method" --header "Authorization: Bearer $QUALMEET_TOKEN" --write-out $'\n%{http_code}')
  if [ -n "$data" ]; then args+=(--header "Content-Type: application/json" --data "$data"); fi
  echo "\$ curl -X $method $API$path -H 'Authorization: Bearer \$QUALMEET_TOKEN'${data:+ -H 'Content-Type: application/json' -d '$data'}"
  local out
  out=$(curl "${args[@]}" "$API$path")
  STATUS=${out##*$'\n'}
  BODY=${out%$'\n'*}
}

# field NAME: the first string value of "NAME" in BODY (the answers are compact JSON; no jq needed for this)
field() {
  printf '%s' "$BODY" | grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | sed 's/^"[^"]*":"\(.*\)"$/\1/'
}

expect_status() {
  if [ "$STATUS" != "$1" ]; then
    echo "unexpected answer $STATUS (wanted $1): $BODY" >&2
    exit 1
  fi
}

echo "1. The OpenAPI document"
echo "\$ curl $QUALMEET_URL/api/openapi.json"
document=$(curl --silent --show-error --fail "${QUALMEET_URL%/}/api/openapi.json")
operations=$(printf '%s' "$document" | grep -o '"operationId"' | wc -l | tr -d ' ')
echo "ok document: OpenAPI $(printf '%s' "$document" | sed -n 's/.*"openapi": *"\([^"]*\)".*/\1/p' | head -n 1), $operations operations"

echo "2. Who the token belongs to"
call GET /me
expect_status 200
echo "ok me: $(field name) ($(field id))"

echo "3. Create a meeting"
call POST /meetings '{"title":"Curl walkthrough","maxParticipants":10}'
expect_status 200
code=$(field code)
echo "ok created meeting $code: $(field title)"

echo "4. Read it back"
call GET "/meetings/$code"
expect_status 200
echo "ok read back $code: status $(field status), link $QUALMEET_URL/m/$code"

echo "5. List my meetings"
call GET "/meetings?limit=5"
expect_status 200
case "$BODY" in
  *"\"code\":\"$code\""*) echo "ok listed: $code is among my latest meetings" ;;
  *) echo "the list does not have $code: $BODY" >&2; exit 1 ;;
esac

echo "6. A bad input"
call POST /meetings '{"maxParticipants":1}'
expect_status 400
echo "ok bad input refused: $STATUS $(field code): $(field message)"

echo "7. End the meeting"
call POST "/meetings/$code/end"
expect_status 200
echo "ok ended $code: status $(field status)"
echo "walkthrough done"
