-- wrk script: METHOD (PUT or GET) of f00000..f(N-1) under the URL path, 4 KiB bodies for PUT; the two threads interleave.
local n = tonumber(os.getenv("N") or "20000")
local body = string.rep("x", 4096)
local k = tonumber(os.getenv("K0") or "0") -- where the requests start (skip files read before)
local id = 0
local i = 0
function setup(thread) thread:set("id", i); i = i + 1 end
request = function()
  k = k + 1
  local p = wrk.path .. string.format("f%05d", ((k - 1) * 2 + (id or 0)) % n)
  return wrk.format(os.getenv("METHOD") or "PUT", p, nil, os.getenv("METHOD") == "GET" and nil or body)
end
function response(status, headers, body)
  if status >= 300 then errs = (errs or 0) + 1; if errs < 3 then print("status " .. status) end end
end
