-- wrk script: requests every hash once, in order, then stops; fills the servers' caches before
-- `verify_rps.lua` measures. Argument after `--`: the hashes file.
local hashes = {}
local next_index = 0
local answered = 0

function init(args)
  for line in io.lines(args[1]) do
    hashes[#hashes + 1] = line
  end
end

function request()
  next_index = next_index % #hashes + 1
  return wrk.format("GET", "/api/v1/verify/" .. hashes[next_index])
end

function response()
  answered = answered + 1
  if answered >= #hashes then
    wrk.thread:stop()
  end
end
