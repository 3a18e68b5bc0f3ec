// The official openai npm SDK against the real platform (gateway → comprehension → CPU inference server, tiny
// model). Run by OpenAiNodeSdkIntegrationTests, which starts the stack and passes its address and keys:
//   XC_BASE_URL (…/v1), XC_KEY (no limits), XC_LIMITED_KEY (1 request per minute), XC_IMAGE (a held-out PNG),
//   XC_QUESTION / XC_ANSWER (the tiny model's known answer about that image), XC_CONTEXT_LENGTH.
// Prints "PASS <check>" per check; any failure exits 1 with its reason.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import OpenAI from "openai";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const baseURL = env("XC_BASE_URL");
const model = "xcomposer-tiny";
const client = new OpenAI({ baseURL, apiKey: env("XC_KEY"), maxRetries: 0, timeout: 60_000 });
const image = `data:image/png;base64,${readFileSync(env("XC_IMAGE")).toString("base64")}`;
const question = env("XC_QUESTION");
const answer = env("XC_ANSWER");
const imageMessage = [
  {
    role: "user",
    content: [
      { type: "image_url", image_url: { url: image } },
      { type: "text", text: question },
    ],
  },
];

const checks = [];
const check = (name, run) => checks.push({ name, run });

check("models", async () => {
  const models = [];
  for await (const entry of client.models.list()) models.push(entry);
  const tiny = models.find((entry) => entry.id === model);
  assert.ok(tiny, `no ${model} in ${JSON.stringify(models)}`);
  assert.equal(tiny.object, "model");
  assert.equal(tiny.max_model_len, Number(env("XC_CONTEXT_LENGTH")));
  const one = await client.models.retrieve(model);
  assert.equal(one.id, model);
});

check("chat with an image", async () => {
  const completion = await client.chat.completions.create({ model, messages: imageMessage, temperature: 0, max_tokens: 8 });
  assert.equal(completion.object, "chat.completion");
  assert.equal(completion.choices[0].message.content.trim(), answer);
  assert.ok(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0);
  assert.equal(completion.choices[0].logprobs, null);
});

check("streamed chat with an image and usage", async () => {
  const stream = await client.chat.completions.create({
    model, messages: imageMessage, temperature: 0, max_tokens: 8, stream: true, stream_options: { include_usage: true },
  });
  let text = "";
  let usage = null;
  let finish = null;
  for await (const chunk of stream) {
    assert.equal(chunk.object, "chat.completion.chunk");
    for (const choice of chunk.choices) {
      text += choice.delta.content ?? "";
      finish = choice.finish_reason ?? finish;
    }
    usage = chunk.usage ?? usage;
  }
  assert.equal(text.trim(), answer);
  assert.ok(["stop", "length"].includes(finish));
  assert.ok(usage.total_tokens > 0);
});

check("embeddings", async () => {
  const embeddings = await client.embeddings.create({ model, input: ["a red circle", "two blue squares"] });
  assert.equal(embeddings.data.length, 2);
  const vector = embeddings.data[0].embedding;
  assert.ok(Array.isArray(vector) && vector.length > 0, "embedding is a float array (encoding_format float)");
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-3, `normalised, got ${norm}`);
});

check("completions", async () => {
  const completion = await client.completions.create({ model, prompt: question, max_tokens: 12, temperature: 0 });
  assert.equal(completion.object, "text_completion");
  assert.ok(completion.choices[0].text.length > 0);
  assert.ok(completion.usage.completion_tokens > 0);
  const stream = await client.completions.create({ model, prompt: question, max_tokens: 12, temperature: 0, stream: true });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.text ?? "";
  assert.equal(text, completion.choices[0].text);
});

check("logprobs", async () => {
  const completion = await client.chat.completions.create({
    model, messages: imageMessage, temperature: 0, max_tokens: 8, logprobs: true, top_logprobs: 2,
  });
  const content = completion.choices[0].logprobs.content;
  assert.ok(content.length > 0);
  for (const token of content) {
    assert.equal(typeof token.token, "string");
    assert.ok(token.logprob <= 0);
    assert.ok(Array.isArray(token.bytes));
    assert.equal(token.top_logprobs.length, 2);
    assert.deepEqual(token.top_logprobs[0].bytes, token.bytes); // greedy: the most likely token
  }
  const spelled = Buffer.from(content.flatMap((token) => token.bytes)).toString("utf8");
  assert.equal(spelled, completion.choices[0].message.content);
});

check("n", async () => {
  const completion = await client.chat.completions.create({
    model, messages: [{ role: "user", content: "Describe a picture with shapes." }], n: 3, temperature: 1, seed: 7, max_tokens: 16,
  });
  assert.deepEqual(completion.choices.map((choice) => choice.index), [0, 1, 2]);
  const stream = await client.chat.completions.create({
    model, messages: [{ role: "user", content: "Describe a picture with shapes." }], n: 2, temperature: 1, seed: 7,
    max_tokens: 16, stream: true,
  });
  const texts = ["", ""];
  for await (const chunk of stream) for (const choice of chunk.choices) texts[choice.index] += choice.delta.content ?? "";
  assert.equal(texts[0], completion.choices[0].message.content);
  assert.equal(texts[1], completion.choices[1].message.content);
});

const rejects = async (call, type, status, expect = () => {}) => {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${error?.constructor?.name}: ${error?.message}`);
    assert.equal(error.status, status);
    expect(error);
    return;
  }
  assert.fail(`expected ${type.name}`);
};

check("401 unknown key", () =>
  rejects(
    () => new OpenAI({ baseURL, apiKey: "xc-not-a-key", maxRetries: 0 }).models.list(),
    OpenAI.AuthenticationError,
    401,
  ));

check("400 unsupported parameter", () =>
  rejects(
    () => client.chat.completions.create({
      model, messages: [{ role: "user", content: "hi" }],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object", properties: {} } } }],
    }),
    OpenAI.BadRequestError,
    400,
    (error) => {
      assert.equal(error.param, "tools");
      assert.equal(error.code, "unsupported_parameter");
    },
  ));

check("404 unknown model", () =>
  rejects(
    () => client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    OpenAI.NotFoundError,
    404,
    (error) => assert.equal(error.code, "model_not_found"),
  ));

check("429 over the rate limit", async () => {
  const limited = new OpenAI({ baseURL, apiKey: env("XC_LIMITED_KEY"), maxRetries: 0 });
  await limited.models.list();
  await rejects(() => limited.models.list(), OpenAI.RateLimitError, 429, (error) => {
    assert.ok(Number(error.headers.get("retry-after")) > 0, "Retry-After");
  });
});

let failed = 0;
for (const { name, run } of checks) {
  try {
    await run();
    console.log(`PASS ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}: ${error?.stack ?? error}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
