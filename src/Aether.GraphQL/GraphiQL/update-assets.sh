#!/usr/bin/env bash
# Refreshes the GraphiQL page's files in assets/ from the npm registry (GraphiQL's UMD build and the React
# it runs on). The files are embedded in Aether.GraphQL and served by the controller at /graphiql, so the
# explorer works on hosts without internet access. Bump the versions here and rerun to update.
set -euo pipefail
cd "$(dirname "$0")"
GRAPHIQL=3.9.0   # the last GraphiQL with a UMD build (4.x and later are ESM-only and need a bundler)
REACT=18.3.1     # the last React with UMD builds
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm pack --silent --pack-destination "$tmp" "graphiql@$GRAPHIQL" "react@$REACT" "react-dom@$REACT" >/dev/null
for p in graphiql-$GRAPHIQL react-$REACT react-dom-$REACT; do
  mkdir -p "$tmp/$p" && tar xzf "$tmp/$p.tgz" -C "$tmp/$p"
done
cp "$tmp/graphiql-$GRAPHIQL/package/graphiql.min.js" "$tmp/graphiql-$GRAPHIQL/package/graphiql.min.css" assets/
cp "$tmp/react-$REACT/package/umd/react.production.min.js" assets/
cp "$tmp/react-dom-$REACT/package/umd/react-dom.production.min.js" assets/
{
  echo "GraphiQL $GRAPHIQL (npm graphiql), React $REACT (npm react, react-dom). All MIT licensed:"
  echo
  cat "$tmp/graphiql-$GRAPHIQL/package/LICENSE"
  echo
  cat "$tmp/react-$REACT/package/LICENSE"
} > assets/LICENSES.txt
(cd assets && sha256sum graphiql.min.js graphiql.min.css react.production.min.js react-dom.production.min.js > SHA256SUMS)
echo "assets updated: GraphiQL $GRAPHIQL, React $REACT"
