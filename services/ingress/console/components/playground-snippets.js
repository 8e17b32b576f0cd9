import { Card } from '../lib/components.js';
import { html, useRef, useState } from '../lib/html.js';

// The request the playground would send, as code to paste: `curl` and the Python `openai` package.
// The key is never in them: `$IMAGEGATE_API_KEY` / `os.environ["IMAGEGATE_API_KEY"]`.

/** Parameters the Python SDK's `images.generate` / `images.edit` take by name; the rest go in `extra_body`. */
const PYTHON_PARAMETERS = new Set([
  'model',
  'prompt',
  'n',
  'size',
  'quality',
  'background',
  'output_format',
  'output_compression',
  'moderation',
  'response_format',
  'stream',
  'partial_images',
  'user',
]);

/** A word for a POSIX shell, single-quoted when it needs to be. */
function shellWord(text) {
  return /^[\w@%+=:,./[\]-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A JSON value as a Python literal (`true` → `True`, strings as JSON writes them, which Python reads). */
function python(value) {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (Array.isArray(value)) return `[${value.map(python).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, inner]) => `${JSON.stringify(key)}: ${python(inner)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

export function curlSnippet({ baseUrl, fields, edit, delivery }) {
  const path = edit ? '/images/edits' : '/images/generations';
  const lines = [
    `curl -s${fields.stream ? 'N' : ''} ${baseUrl}${path}`,
    '-H "Authorization: Bearer $IMAGEGATE_API_KEY"',
  ];
  if (delivery === 'job') lines.push("-H 'Prefer: respond-async'");
  if (!edit) {
    // One field a line, inside one single-quoted word (a newline in it is fine for the shell).
    const body = JSON.stringify(fields, null, 2).replaceAll('\n', '\n  ');
    lines.push("-H 'Content-Type: application/json'", `-d '${body.replaceAll("'", `'\\''`)}'`);
  } else {
    for (const [name, value] of Object.entries(fields)) {
      const text = String(value);
      // -F reads a value starting with @ or < as a file; --form-string never does.
      lines.push(`${/^[@<]/.test(text) ? '--form-string' : '-F'} ${shellWord(`${name}=${text}`)}`);
    }
    for (const name of edit.images) lines.push(`-F ${shellWord(`image[]=@${name}`)}`);
    if (edit.mask) lines.push('-F mask=@mask.png');
  }
  return lines.join(' \\\n  ');
}

export function pythonSnippet({ baseUrl, fields, edit, delivery }) {
  const job = delivery === 'job';
  const named = Object.entries(fields).filter(([name]) => PYTHON_PARAMETERS.has(name));
  const extra = Object.fromEntries(Object.entries(fields).filter(([name]) => !PYTHON_PARAMETERS.has(name)));
  const args = [
    ...(edit
      ? [
          `image=[${edit.images.map((name) => `open(${JSON.stringify(name)}, "rb")`).join(', ')}]`,
          ...(edit.mask ? ['mask=open("mask.png", "rb")'] : []),
        ]
      : []),
    ...named.map(([name, value]) => `${name}=${python(value)}`),
    ...(Object.keys(extra).length > 0 ? [`extra_body=${python(extra)}`] : []),
    ...(job ? ['extra_headers={"Prefer": "respond-async"}'] : []),
  ];
  const method = edit ? 'edit' : 'generate';
  const call = (target) => `${target}(\n${args.map((arg) => `    ${arg},`).join('\n')}\n)`;
  const head = [
    ...(fields.stream ? ['import base64'] : []),
    'import os',
    ...(job ? ['import time'] : []),
    '',
    'from openai import OpenAI',
    '',
    `client = OpenAI(api_key=os.environ["IMAGEGATE_API_KEY"], base_url=${JSON.stringify(baseUrl)})`,
  ];
  let body;
  if (job) {
    body = [
      `# Prefer: respond-async answers 202 with the job at once; poll it (or set webhook_url).`,
      `response = ${call(`client.images.with_raw_response.${method}`)}`,
      'job = response.http_response.json()',
      'while job["status"] not in ("succeeded", "failed", "canceled"):',
      '    time.sleep(1)',
      '    job = client.get(f"/images/jobs/{job[\'id\']}", cast_to=dict)',
      'print(job["status"], [item["url"] for item in (job["result"] or {}).get("data", [])])',
    ];
  } else if (fields.stream) {
    body = [
      `stream = ${call(`client.images.${method}`)}`,
      'for event in stream:',
      '    if event.type.endswith("partial_image"):',
      '        print("partial", event.partial_image_index)',
      '    elif event.type.endswith("completed"):',
      `        with open("image.${fields.output_format ?? 'png'}", "wb") as file:`,
      '            file.write(base64.b64decode(event.b64_json))',
    ];
  } else {
    body = [`result = ${call(`client.images.${method}`)}`, 'for image in result.data:', '    print(image.url)'];
  }
  return [...head, '', ...body].join('\n');
}

/** The snippets for the current form, in tabs, each with a copy button. */
export function Snippets({ request }) {
  const [tab, setTab] = useState('curl');
  const [copied, setCopied] = useState(null);
  const code = useRef(null);
  const text = tab === 'curl' ? curlSnippet(request) : pythonSnippet(request);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied');
    } catch {
      // No clipboard (an insecure origin, a denied permission): select the text for Ctrl-C instead.
      window.getSelection().selectAllChildren(code.current);
      setCopied('Selected: press Ctrl-C');
    }
    setTimeout(() => setCopied(null), 2500);
  };
  const tabButton = (name, label) =>
    html`<button type="button" role="tab" aria-selected=${tab === name} class=${tab === name ? 'pg-tab active' : 'pg-tab'}
      onClick=${() => setTab(name)}>${label}</button>`;

  return html`<${Card}
    title="The same request in code"
    className="pg-snippets"
    actions=${html`<span class="muted small" aria-live="polite">${copied ?? ''}</span><button type="button" onClick=${copy}>Copy</button>`}
  >
    <div class="pg-tabs" role="tablist">${tabButton('curl', 'curl')}${tabButton('python', 'Python (openai)')}</div>
    <pre role="tabpanel" aria-label=${tab === 'curl' ? 'curl' : 'Python'}><code ref=${code}>${text}</code></pre>
    <p class="muted small">
      Set <code>IMAGEGATE_API_KEY</code> to your key first.${request.edit ? ' The file names are those you uploaded; download the mask you painted as mask.png.' : ''}
    </p>
  <//>`;
}
