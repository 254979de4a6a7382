-- As signed-requests.lua, and prints the status and start of the body of the first five
-- non-200 answers per thread (RAMPART_WRK_SCRIPT=bench/wrk/signed-requests-statuses.lua;
-- a response callback slows wrk itself, so it is not the default). Run from the package root.
dofile("bench/wrk/signed-requests.lua")

local shown = 0
response = function(status, headers, body)
  if status ~= 200 and shown < 5 then
    shown = shown + 1
    io.write("STATUS " .. status .. " " .. string.sub(body or "", 1, 200) .. "\n")
  end
end
