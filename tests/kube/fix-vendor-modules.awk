# Rewrites Kubernetes 1.20's vendor/modules.txt so that Go >= 1.17 accepts `go build -mod=vendor`.
#
# Why: k8s 1.20 was vendored with Go 1.15. Its modules.txt lists many packages below a wildcard
# replacement header ("# example.com/m => example.com/m v1.2.3", no version on the left) instead of
# below the module's versioned header ("# example.com/m v1.2.3 [=> ...]"). Newer Go attributes such
# packages to module version "", which then looks newer than go.mod's requirement, and the build stops
# with "go: updates to go.mod needed, disabled by -mod=vendor".
#
# What: every package line is moved below the versioned header of the module whose path is the
# longest prefix of the package path ("##" marker lines stay with their header); the wildcard headers
# go to the end. No line is added or dropped: the END block checks that the line count is unchanged.
# Usage: awk -f fix-vendor-modules.awk modules.txt.orig > modules.txt
function owner(pkg,   p) {
  p = pkg
  while (p != "") {
    if (p in isModule) return p
    if (index(p, "/") == 0) return ""
    sub(/\/[^\/]*$/, "", p)
  }
  return ""
}
BEGIN { nmod = 0; nwild = 0; npkg = 0; cur = ""; inLines = 0 }
/^[ \t]*$/ { next }
{ inLines++ }
/^# / {
  if ($3 == "=>" || NF < 3) { wild[++nwild] = $0; cur = ""; next }
  cur = $2; mods[++nmod] = cur; isModule[cur] = 1; head[cur] = $0; marks[cur] = ""; next
}
/^## / {
  if (cur == "") { print "fix-vendor-modules: marker line after a wildcard header: " $0 > "/dev/stderr"; bad = 1; exit 1 }
  marks[cur] = marks[cur] $0 "\n"; next
}
{ pkgs[++npkg] = $1 }
END {
  if (bad) exit 1
  for (i = 1; i <= npkg; i++) {
    m = owner(pkgs[i])
    if (m == "") { print "fix-vendor-modules: no module owns package " pkgs[i] > "/dev/stderr"; exit 1 }
    body[m] = body[m] pkgs[i] "\n"
  }
  outLines = 0
  for (i = 1; i <= nmod; i++) {
    m = mods[i]
    out = head[m] "\n" marks[m] body[m]
    printf "%s", out
    outLines += gsub(/\n/, "", out)
  }
  for (i = 1; i <= nwild; i++) { print wild[i]; outLines++ }
  if (outLines != inLines) { print "fix-vendor-modules: line count changed (" inLines " -> " outLines ")" > "/dev/stderr"; exit 1 }
  print "fix-vendor-modules: " nmod " modules, " npkg " packages, " nwild " wildcard headers" > "/dev/stderr"
}
