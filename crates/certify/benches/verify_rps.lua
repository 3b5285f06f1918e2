-- wrk script: GET /api/v1/verify/{hash}, a random one of the hashes written by
-- `certify seed-synthetic` for each request. Argument after `--`: the hashes file.
local hashes = {}

function init(args)
  for line in io.lines(args[1]) do
    hashes[#hashes + 1] = line
  end
  math.randomseed(42)
end

function request()
  return wrk.format("GET", "/api/v1/verify/" .. hashes[math.random(#hashes)])
end
