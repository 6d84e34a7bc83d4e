-- Runs one of Argo CD's resource health checks the way Argo CD does: the resource is the global
-- `obj`, the script's chunk returns a table with `status` and `message`. Argo CD embeds gopher-lua
-- (Lua 5.1), where table.getn exists; Debian's lua5.4 has only the `#` operator, so it is
-- provided here with the same meaning. Usage: lua5.4 argo-cd-health.lua <object.lua> <health.lua>
table.getn = table.getn or function(t) return #t end
obj = dofile(arg[1])
local check = assert(loadfile(arg[2]))
local hs = check()
io.write(tostring(hs.status), "\n", tostring(hs.message or ""), "\n")
