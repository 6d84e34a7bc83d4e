#!/usr/bin/env bash
# Runs Argo Rollouts v1.9.1's own Go e2e suite (test/e2e, package e2e, build tag e2e) against the
# local control plane twice: once with the reference Argo controller handling the test objects,
# once with Gradual's compiled controller (dist/cli/main.js) handling them. Each controller only
# acts on objects labelled with its instance id, and the suite labels its objects with
# E2E_INSTANCE_ID, so the two never touch each other's objects.
#
# Needs: an environment started with `gradual local up --dir DIR --with-argo` (Argo's CRDs,
# Argo's controller with instance id "argo"), `npm run build` done, Argo's module in the Go
# module cache (the wrapper module test/infra/argo-rollouts pins it). Everything stays on
# 127.0.0.1: the suite talks only to the local API server, KWOK makes the pods Ready.
#
# Usage: scripts/argo-e2e-against-gradual.sh DIR [SUITE_REGEX]   (default TestAPISIXSuite)
# The ALB cases of TestAWSSuite need no AWS without --aws-verify-target-group; they skip unless
# E2E_ALB_INGESS_ANNOTATIONS (Argo's spelling) is set, e.g. to '{}'. Use a fresh environment: Argo's SMI CRD
# cannot replace one the integration tests already stored v1alpha1 objects under.
set -euo pipefail

env_dir=${1:?usage: $0 ENV_DIR [SUITE_REGEX]}
suite=${2:-TestAPISIXSuite}
repo=$(cd "$(dirname "$0")/.." && pwd)
kubeconfig="$env_dir/kubeconfig"
work=$(mktemp -d /tmp/argo-e2e-XXXXXX)
gradual_id="gradual-e2e-$$"
controller_pid=""
cleanup() {
  if [[ -n "$controller_pid" ]]; then kill "$controller_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

module=$(cd "$repo/test/infra/argo-rollouts" && GOFLAGS=-mod=mod GOTOOLCHAIN=local go list -m -f '{{.Dir}}' github.com/argoproj/argo-rollouts)
kubectl=$(ls -d "$HOME"/.cache/gradual/kubectl-v*/bin/kubectl | head -1)

# 1. Compile the suite in a copy of the wrapper module (-mod=mod adds the e2e package's own
#    test dependencies to the copy's go.sum, through the module proxy). -vet=off: vet would
#    analyse every dependency first (minutes); -trimpath reuses the controller build's cache.
cp "$repo/test/infra/argo-rollouts/go.mod" "$repo/test/infra/argo-rollouts/go.sum" "$work/"
(cd "$work" && GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 \
  go test -vet=off -trimpath -tags e2e -c -o "$work/e2e.test" github.com/argoproj/argo-rollouts/test/e2e)

# 2. The routers' test CRDs Argo's e2e installs (ApisixRoute, VirtualService, TrafficSplit).
for crd in "$module"/test/e2e/crds/*.yaml; do "$kubectl" --kubeconfig "$kubeconfig" apply -f "$crd" >/dev/null; done
#    Argo's e2e ships no App Mesh CRDs: its AppMeshSuite skips itself unless VirtualServices can be listed, and its
#    fixture also creates a Mesh. Gradual's minimal App Mesh CRDs, plus an open Mesh (cluster-scoped, as AWS's).
for crd in "$repo"/src/local/traffic-crds/appmesh-*.yaml; do "$kubectl" --kubeconfig "$kubeconfig" apply -f "$crd" >/dev/null; done
"$kubectl" --kubeconfig "$kubeconfig" apply -f - >/dev/null <<'MESH'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: meshes.appmesh.k8s.aws
spec:
  group: appmesh.k8s.aws
  names: { kind: Mesh, listKind: MeshList, plural: meshes, singular: mesh }
  scope: Cluster
  versions:
    - name: v1beta2
      served: true
      storage: true
      schema:
        openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true }
MESH

run_suite() {
  local who=$1 instance=$2
  echo "=== $suite against $who (instance id $instance)"
  # The suite reads its fixtures relative to test/e2e.
  (cd "$module/test/e2e" && KUBECONFIG="$kubeconfig" E2E_INSTANCE_ID="$instance" \
    "$work/e2e.test" -test.run "$suite" -test.v -test.timeout 15m) >"$work/$who.log" 2>&1
  local rc=$?
  grep -E '^(--- |    --- |PASS|FAIL)' "$work/$who.log" || true
  echo "($who: exit $rc, log $work/$who.log)"
  return $rc
}

set +e
run_suite argo argo
argo_rc=$?

node "$repo/dist/cli/main.js" controller --kubeconfig "$kubeconfig" --instance-id "$gradual_id" \
  --no-leader-elect --metrics-port 0 --healthz-port 0 >"$work/gradual-controller.log" 2>&1 &
controller_pid=$!
for _ in $(seq 1 60); do
  grep -q '"component":"rollout-controller".*caches synced' "$work/gradual-controller.log" && break
  sleep 1
done
run_suite gradual "$gradual_id"
gradual_rc=$?
set -e

echo "argo: exit $argo_rc; gradual: exit $gradual_rc"
[[ $argo_rc -eq 0 && $gradual_rc -eq 0 ]]
