-- wrk script: durable txt2img submits (the body of the README's curl line).
-- API key comes from the GENQ_API_KEY environment variable.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("GENQ_API_KEY")
wrk.body = '{"prompt":"a beautiful sunset over mountains","model":"Flux1schnell","width":512,"height":512,"steps":4,"seed":-1}'

local non200 = 0
response = function(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d errors_status=%d errors_timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end
