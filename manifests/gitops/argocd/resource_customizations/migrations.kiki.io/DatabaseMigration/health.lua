-- Argo CD health check for migrations.kiki.io/DatabaseMigration.
-- The operator keeps kstatus conditions (Ready, Reconciling, Stalled) for the
-- generation in status.observedGeneration; anything older says nothing about the
-- current spec. Runs on Lua 5.1 (Argo CD's gopher-lua) and 5.4.
local hs = {}

local function findCondition(conditions, conditionType)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if condition.type == conditionType then
      return condition
    end
  end
  return nil
end

local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end

-- A condition without its own observedGeneration follows the status's.
local function isCurrent(condition)
  return condition ~= nil and (condition.observedGeneration == nil or generation == nil
    or condition.observedGeneration == generation)
end

local function isTrueNow(condition)
  return isCurrent(condition) and condition.status == "True"
end

local function nonEmpty(text)
  if text == nil or text == "" then
    return nil
  end
  return text
end

local status = obj.status
if status == nil or status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to pick up the resource"
  return hs
end

-- spec.suspend: no rollout starts, one in flight holds before its next stage; the operator
-- shows it as phase Suspended (and goes on once spec.suspend is false again).
if status.phase == "Suspended" then
  hs.status = "Suspended"
  hs.message = nonEmpty(status.message) or "Suspended (spec.suspend: true)"
  return hs
end

if generation ~= nil and status.observedGeneration ~= generation then
  hs.status = "Progressing"
  hs.message = string.format("Waiting for the operator to observe generation %d (last observed %d)",
    generation, status.observedGeneration)
  return hs
end

local stalled = findCondition(status.conditions, "Stalled")
if isTrueNow(stalled) then
  hs.status = "Degraded"
  hs.message = nonEmpty(stalled.message) or nonEmpty(stalled.reason) or "Stalled"
  return hs
end

local ready = findCondition(status.conditions, "Ready")
if isTrueNow(ready) then
  hs.status = "Healthy"
  hs.message = nonEmpty(ready.message) or "Ready"
  return hs
end

hs.status = "Progressing"
if isCurrent(ready) and nonEmpty(ready.message) ~= nil then
  hs.message = ready.message
elseif nonEmpty(status.message) ~= nil then
  hs.message = status.message
elseif nonEmpty(status.phase) ~= nil then
  hs.message = "Phase " .. status.phase
else
  hs.message = "Waiting for the Ready condition"
end
return hs
