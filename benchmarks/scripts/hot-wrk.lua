-- wrk script for hot-object runs: METHOD (GET, HEAD, PROPFIND0, PROPFIND1) and N from the environment.
-- GET/HEAD/PROPFIND0 cycle over f0000..f(N-1) in the collection given as the URL path; PROPFIND1 lists it.
local mode = os.getenv("MODE") or "GET"
local n = tonumber(os.getenv("N") or "1000")
local body = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/>'
  .. '<D:getcontentlength/><D:getlastmodified/><D:getetag/><D:getcontenttype/></D:prop></D:propfind>'
local i = 0
function setup(thread) thread:set("id", i); i = i + 1 end
local k = 0
request = function()
  k = k + 1
  local base = wrk.path
  if mode == "PROPFIND1" then
    return wrk.format("PROPFIND", base, { Depth = "1", ["Content-Type"] = "application/xml" }, body)
  end
  local p = base .. string.format("f%04d", (k * 7 + (id or 0) * 131) % n)
  if mode == "PROPFIND0" then
    return wrk.format("PROPFIND", p, { Depth = "0", ["Content-Type"] = "application/xml" }, body)
  end
  return wrk.format(mode, p)
end
function response(status, headers, body)
  if status ~= 200 and status ~= 207 then errs = (errs or 0) + 1; if errs < 3 then print("status " .. status) end end
end
