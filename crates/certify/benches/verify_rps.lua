-- wrk script: GET <prefix>{hash}, a random one of the hashes written by `certify seed-synthetic`
-- for each request. Arguments after `--`: the hashes file, and the path prefix (the JSON route
-- /api/v1/verify/ unless given; /verify/ for the result page people see).
local hashes = {}
local prefix = "/api/v1/verify/"

function init(args)
  for line in io.lines(args[1]) do
    hashes[#hashes + 1] = line
  end
  if args[2] then
    prefix = args[2]
  end
  math.randomseed(42)
end

function request()
  return wrk.format("GET", prefix .. hashes[math.random(#hashes)])
end
