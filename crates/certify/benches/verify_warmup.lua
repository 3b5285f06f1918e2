-- wrk script: requests every hash once, in order, then interrupts wrk (which prints its summary
-- on SIGINT; without it wrk would idle until -d ran out). Fills the servers' caches before
-- `verify_rps.lua` measures; its rate is that of cold look-ups. Argument after `--`: the hashes
-- file.
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
  if answered == #hashes then
    -- The shell os.execute starts is wrk's child, so $PPID is wrk.
    os.execute("kill -INT $PPID")
  end
end
