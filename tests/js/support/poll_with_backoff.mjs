// The polling loop of the second dialect's own documentation (seeds/003, "Polling
// Best Practices"), as a customer would paste it: start at 3 s, back off by 1.5× to at
// most 30 s, give up after maxWait. The only changes: checkStatus and sleep are
// defined, and the first interval can be given so a test need not wait 3 s.
export async function checkStatus(baseUrl, apiKey, model, taskId) {
  const res = await fetch(`${baseUrl}/api/v1/statusTask/${model}?taskId=${taskId}`, {
    headers: { Authorization: `Bearer ${apiKey}` },
  });
  const body = await res.json();
  if (body.code !== 200) throw new Error(`statusTask answered ${body.code}: ${body.message}`);
  return body.data;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const pollWithBackoff = async (checkStatus, taskId, maxWait = 300000, firstInterval = 3000) => {
  let interval = firstInterval; // Start at 3s
  const startTime = Date.now();

  while (Date.now() - startTime < maxWait) {
    const result = await checkStatus(taskId);

    if (result.state === 'success') return result;
    if (result.state === 'failed') throw new Error(result.failMsg);

    await sleep(interval);
    interval = Math.min(interval * 1.5, 30000); // Max 30s
  }

  throw new Error('Timeout waiting for result');
};
