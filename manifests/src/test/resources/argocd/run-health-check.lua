-- Runs an Argo CD health script the way Argo CD does: `obj` is the only global the
-- script gets besides the standard functions; it returns a table {status, message}.
-- Usage: lua run-health-check.lua HEALTH_SCRIPT OBJECT_FILE
-- OBJECT_FILE is a Lua chunk returning the object as a table. Prints status, a NUL,
-- the message, a NUL. Works with Lua 5.1 (like Argo CD's gopher-lua) and 5.4.
local scriptPath, objectPath = arg[1], arg[2]

local function readFile(path)
  local file = assert(io.open(path, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

local object = assert(dofile(objectPath))
local env = {
  obj = object,
  ipairs = ipairs, pairs = pairs, next = next, select = select, type = type, error = error,
  tostring = tostring, tonumber = tonumber, pcall = pcall,
  string = string, table = table, math = math,
}

local chunk
if setfenv ~= nil then
  chunk = assert(loadstring(readFile(scriptPath), "=" .. scriptPath))
  setfenv(chunk, env)
else
  chunk = assert(load(readFile(scriptPath), "=" .. scriptPath, "t", env))
end

local hs = chunk()
if type(hs) ~= "table" then
  error("the health script returned " .. type(hs) .. ", not a table")
end
for key, _ in pairs(hs) do
  if key ~= "status" and key ~= "message" then
    error("the health script returned an unexpected field " .. tostring(key))
  end
end
io.write(tostring(hs.status), "\0", tostring(hs.message), "\0")
