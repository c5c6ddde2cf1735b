# Sourced by run-demo.sh and run-cluster.sh: the demo lines both print once genq is up.
# Expects: url, api_key, client_id, pusher_key, pusher_app_id, pusher_secret_hint.
print_demo_lines() {
  local ws_host ws_port
  ws_host=$(echo "$url" | sed -E 's#^https?://\[?([^]/]*)\]?:[0-9]+.*#\1#')
  ws_port=$(echo "$url" | sed -E 's#^https?://.*:([0-9]+).*#\1#')
  cat <<MSG
Web playground: $url/  (sign in by pasting the API key below; docs/playground.md)

  client_id: $client_id
  API key:   $api_key

Submit a txt2img job:

  curl -s -X POST $url/api/v1/client/txt2img \\
    -H "Authorization: Bearer $api_key" -H "Content-Type: application/json" \\
    -d '{"prompt":"a beautiful sunset over mountains","model":"Flux1schnell","width":512,"height":512,"steps":8,"seed":-1}'

Speech from espeak-ng (a WAV file):

  curl -s -X POST $url/api/v1/client/txt2audio \\
    -H "Authorization: Bearer $api_key" -H "Content-Type: application/json" \\
    -d '{"text":"Hello from genq","model":"EspeakNg"}'

Then poll it (replace REQUEST_ID):

  curl -s $url/api/v1/client/request-status/REQUEST_ID -H "Authorization: Bearer $api_key"

The same with the genq binary, which follows the job with a progress bar (docs/cli.md):

  GENQ_SERVER=$url GENQ_API_KEY=$api_key \\
    genq submit txt2img --model Flux1schnell --param prompt="a red fox in the snow" --wait --out fox.png

The same through the second dialect (docs/task-api.md), then poll with the taskId:

  curl -s -X POST $url/api/v1/generateTask/Flux1schnell \\
    -H "Authorization: Bearer $api_key" -H "Content-Type: application/json" \\
    -d '{"request_type":"async","input":{"mode":"text-to-image","prompt":"a lighthouse at night"}}'
  curl -s "$url/api/v1/statusTask/Flux1schnell?taskId=TASK_ID" -H "Authorization: Bearer $api_key"

Live progress and previews over WebSockets (Pusher protocol 7, same port):

  app key: $pusher_key   app id: $pusher_app_id   secret: $pusher_secret_hint

  // npm install pusher-js
  import Pusher from 'pusher-js';
  const pusher = new Pusher('$pusher_key', {
    wsHost: '$ws_host', wsPort: $ws_port, forceTLS: false, enabledTransports: ['ws'], cluster: 'mt1',
    channelAuthorization: {
      endpoint: '$url/broadcasting/auth',
      headers: { Authorization: 'Bearer $api_key' },
    },
  });
  pusher.subscribe('private-client.$client_id')
    .bind('request.status.updated', (d) => console.log(d.request_id, d.status, d.progress, d.result_url));

Press Ctrl-C to stop.
MSG
}
