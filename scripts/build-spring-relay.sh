#!/usr/bin/env bash
# Builds the Spring Boot STOMP relay (clients/relays/spring-stomp) and prints the jar's
# absolute path as the last line of stdout. Skips Maven when the jar is newer than pom.xml
# and every file under src/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$root/clients/relays/spring-stomp"
jar="$project/target/spring-stomp-relay.jar"

if ! command -v java >/dev/null 2>&1; then
  echo "build-spring-relay: java not found; install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)" >&2
  exit 1
fi
if ! command -v mvn >/dev/null 2>&1; then
  echo "build-spring-relay: mvn not found; install Maven (Debian: apt-get install maven)" >&2
  exit 1
fi

up_to_date() {
  [[ -f "$jar" ]] || return 1
  [[ "$project/pom.xml" -nt "$jar" ]] && return 1
  [[ -z "$(find "$project/src" -type f -newer "$jar" -print -quit)" ]]
}

if ! up_to_date; then
  echo "build-spring-relay: building $project" >&2
  (cd "$project" && mvn -q -B -DskipTests package >&2)
fi

if [[ ! -f "$jar" ]]; then
  echo "build-spring-relay: Maven finished but $jar is missing" >&2
  exit 1
fi
echo "$jar"
