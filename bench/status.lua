-- wrk script: polling GET request-status for one job (GENQ_API_KEY, GENQ_REQUEST_ID).
wrk.method = "GET"
wrk.path = "/api/v1/client/request-status/" .. os.getenv("GENQ_REQUEST_ID")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("GENQ_API_KEY")

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d errors_status=%d errors_timeout=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(99)))
end
