-- wrk script for bench/run.py: one kind of request, rotating over customer ids (or
-- referenceIds); every answer outside 2xx and every socket error fails the run.
-- Environment: BENCH_MODE (json | xml | form | list | count), BENCH_TOKEN, BENCH_IDS,
-- BENCH_FIRST_ID, BENCH_REFS (how many distinct referenceIds the seed made).

local mode = os.getenv("BENCH_MODE") or "json"
local token = os.getenv("BENCH_TOKEN") or ""
local ids = tonumber(os.getenv("BENCH_IDS") or "10000")
local first_id = tonumber(os.getenv("BENCH_FIRST_ID") or "1")
local refs = tonumber(os.getenv("BENCH_REFS") or "1000")

local fields = {
  {"uuid", "5f7a9c1e-0b7e-4c1a-9e43-1d2f3a4b5c6d"}, {"referenceId", "ref-42"},
  {"dateOfBirth", "1984-03-17"}, {"addressStreet", "Rua da Aurora, 100"},  -- renumbered by each PUT
  {"addressNeighborhood", "Boa Vista"}, {"addressCity", "Recife"}, {"addressState", "PE"},
  {"addressCountry", "Brasil"}, {"gender", "female"}, {"maritalStatus", "married"},
}

local function json_body()
  local parts = {}
  for _, f in ipairs(fields) do parts[#parts + 1] = string.format('"%s":"%s"', f[1], f[2]) end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function xml_body()
  local parts = {'<?xml version="1.0" encoding="utf-8"?><item>'}
  for _, f in ipairs(fields) do parts[#parts + 1] = string.format("<%s>%s</%s>", f[1], f[2], f[1]) end
  return table.concat(parts) .. "</item>"
end

local function form_encoded(value)
  return (value:gsub("[^%w%-%.]", function(c) return string.format("%%%02X", c:byte()) end))
end

local function form_body()
  local parts = {}
  for _, f in ipairs(fields) do parts[#parts + 1] = f[1] .. "=" .. form_encoded(f[2]) end
  return table.concat(parts, "&")
end

-- `text` with its first `old` (plain text, not a pattern) replaced by `new`.
local function replaced(text, old, new)
  local from, to = text:find(old, 1, true)
  return text:sub(1, from - 1) .. new .. text:sub(to + 1)
end

local STREET = "Rua da Aurora, 100"

local bodies = {
  json = {"application/json", json_body()},
  xml = {"application/xml", xml_body()},
  form = {"application/x-www-form-urlencoded", form_body()},
}

local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  failures = 0
  -- Threads start far apart so they seldom write the same record at once.
  cursor = (thread_number or 0) * 7919
  salt = os.time() * 100000
  headers = {["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json"}
  local body = bodies[mode]
  if body then headers["Content-Type"] = body[1] end
end

function request()
  cursor = cursor + 1
  if mode == "list" then
    return wrk.format("GET", "/customers", headers)
  elseif mode == "count" then
    return wrk.format("GET", "/customers/count?referenceId=ref-" .. (cursor % refs), headers)
  end
  local id = first_id + (cursor % ids)
  -- Every PUT changes the street's number (each run numbers from its own start time), so
  -- every PUT is a real change with its history entry, as the raw app's always-run UPDATE
  -- is: the same body again would change nothing, and cost us no write at all.
  local street = "Rua da Aurora, " .. (salt + cursor)
  local old = STREET
  if mode == "form" then old, street = form_encoded(STREET), form_encoded(street) end
  return wrk.format("PUT", "/customers/" .. id, headers, replaced(bodies[mode][2], old, street))
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    failures = failures + 1
    if failures <= 3 then io.stderr:write("non-2xx: " .. status .. " " .. body:sub(1, 200) .. "\n") end
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + (thread:get("failures") or 0) end
  local e = summary.errors
  failed = failed + e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"failures":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), failed))
  if failed > 0 then
    io.stderr:write(string.format("FAILED: %d non-2xx answers or socket errors\n", failed))
    os.exit(1)
  end
end
