// docs/openapi.yaml as a checker of live answers: finds the operation a request
// addressed, checks that the answer's status is documented for it, that the declared
// headers are present and valid, that the Content-Type is documented and that the body
// validates (JSON Schema 2020-12, Ajv), and records which operations and statuses were
// seen. OPENAPI_DOC names another document (to see the test fail on a broken one).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import { Validator } from '@seriousme/openapi-schema-validator';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const ROOT = 'https://minitwit.invalid/openapi.yaml';
const escape = (s) => encodeURIComponent(String(s).replaceAll('~', '~0').replaceAll('/', '~1'));

export class Contract {
  static async load(file = process.env.OPENAPI_DOC ?? fileURLToPath(new URL('../../../docs/openapi.yaml', import.meta.url))) {
    const doc = parse(readFileSync(file, 'utf8'));
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.ok(result.valid, `${file} is not a valid OpenAPI document: ${JSON.stringify(result.errors, null, 2)}`);
    assert.match(String(doc.openapi), /^3\.1\./, `${file}: OpenAPI 3.1 expected`);
    return new Contract(doc, file);
  }

  constructor(doc, file) {
    this.doc = doc;
    this.file = file;
    // The document is one schema resource; Ajv reaches schemas inside it by JSON pointer
    // and checks each (strictly: an unknown keyword is an error) when first compiled.
    this.ajv = new Ajv2020({ allErrors: true, strictTypes: false, strictTuples: false });
    this.ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
    this.ajv.addVocabulary(['paths', 'components', 'x-unrouted']);
    this.ajv.addSchema({ $id: ROOT, paths: doc.paths, components: doc.components, 'x-unrouted': doc['x-unrouted'] });
    this.validators = new Map();
    this.operations = [];  // one per operation and listener serving it
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const server of item.servers ?? doc.servers) {
        for (const m of METHODS.filter((m) => item[m])) {
          this.operations.push({ listener: server['x-listener'], method: m.toUpperCase(), path, item, op: item[m], id: item[m].operationId });
        }
      }
    }
    this.seen = new Map();  // "listener operationId" -> Set of statuses
  }

  // [object, its JSON pointer] after following $refs.
  deref(obj, pointer) {
    while (obj && obj.$ref) {
      pointer = obj.$ref;
      obj = pointer.slice(2).split('/').map((p) => decodeURIComponent(p).replaceAll('~1', '/').replaceAll('~0', '~'))
        .reduce((o, key) => o?.[key], this.doc);
      assert.ok(obj !== undefined, `${this.file}: $ref ${pointer} points at nothing`);
    }
    return [obj, pointer];
  }

  validator(pointer) {
    if (!this.validators.has(pointer)) {
      try {
        this.validators.set(pointer, this.ajv.compile({ $ref: ROOT + pointer }));
      } catch (e) {
        throw new Error(`${this.file}: the schema at ${decodeURIComponent(pointer)} does not compile: ${e.message}`);
      }
    }
    return this.validators.get(pointer);
  }

  // Every response, header and request schema in the document compiles.
  compileAll() {
    for (const o of this.operations) {
      const base = `#/paths/${escape(o.path)}/${o.method.toLowerCase()}`;
      for (const [status, r] of Object.entries(o.op.responses)) this.compileResponse(r, `${base}/responses/${status}`);
      const [body, p] = this.deref(o.op.requestBody, `${base}/requestBody`);
      for (const media of Object.keys(body?.content ?? {})) this.validator(`${p}/content/${escape(media)}/schema`);
    }
    const unrouted = [this.doc['x-unrouted'].unknownPath, this.doc['x-unrouted'].otherMethod,
      ...Object.values(this.doc.paths).flatMap((item) => Object.values(item['x-other-methods'] ?? {}))];
    for (const group of unrouted) for (const r of Object.values(group)) this.compileResponse(r, null);
  }

  compileResponse(r, pointer) {
    const [resp, p] = this.deref(r, pointer);
    assert.ok(p, 'x-unrouted responses must be $refs');
    for (const [name, h] of Object.entries(resp.headers ?? {})) this.validator(`${this.deref(h, `${p}/headers/${escape(name)}`)[1]}/schema`);
    for (const media of Object.keys(resp.content ?? {})) this.validator(`${p}/content/${escape(media)}/schema`);
  }

  route(listener, path) {
    const segments = path.split('/');
    for (const [p, item] of Object.entries(this.doc.paths)) {
      if (!(item.servers ?? this.doc.servers).some((s) => s['x-listener'] === listener)) continue;
      const parts = p.split('/');
      if (parts.length === segments.length && parts.every((s, i) => (/^\{.+\}$/.test(s) ? segments[i] !== '' : s === segments[i])))
        return { path: p, item };
    }
    return null;
  }

  // Checks one answer; returns its parsed body. Throws an AssertionError naming the
  // operation, the status and what does not match.
  check(listener, method, target, sentBody, res) {
    const path = target.split('?')[0];
    const found = this.route(listener, path);
    const m = method.toLowerCase();
    let responses, pointer, label, o;
    if (!found) {
      responses = this.doc['x-unrouted'].unknownPath;
      label = `undocumented path (${method} ${path} on ${listener})`;
    } else if (!found.item[m]) {
      responses = found.item['x-other-methods']?.[listener] ?? this.doc['x-unrouted'].otherMethod;
      label = `undocumented method (${method} ${found.path} on ${listener})`;
    } else {
      o = this.operations.find((x) => x.listener === listener && x.path === found.path && x.method === method.toUpperCase());
      responses = o.op.responses;
      pointer = `#/paths/${escape(found.path)}/${m}/responses`;
      label = `${o.id} (${method} ${found.path} on ${listener})`;
    }
    const fail = (what) => assert.fail(`${label} answered ${res.status}: ${what}\n  body: ${res.body.slice(0, 500)}`);
    const entry = responses[String(res.status)];
    if (!entry) fail(`status ${res.status} is not documented (documented: ${Object.keys(responses).join(', ')})`);
    const [resp, rp] = this.deref(entry, pointer && `${pointer}/${res.status}`);
    const valid = (p, value, what) => {
      const v = this.validator(p);
      if (!v(value)) fail(`${what} does not match the schema (${decodeURIComponent(p)}): ${this.ajv.errorsText(v.errors, { dataVar: what })}`);
    };

    for (const [name, h] of Object.entries(resp.headers ?? {})) {
      const [header, hp] = this.deref(h, `${rp}/headers/${escape(name)}`);
      const value = res.headers[name.toLowerCase()];
      if (value === undefined) {
        if (header.required) fail(`the declared header ${name} is missing`);
      } else if (header.schema) valid(`${hp}/schema`, value, `header ${name}`);
    }
    if (res.status === 405 && found) {
      const documented = METHODS.filter((x) => found.item[x]).map((x) => x.toUpperCase());
      assert.deepEqual(res.headers.allow.split(', ').sort(), documented.sort(), `${label}: Allow is not the documented methods`);
    }

    let body;
    const type = res.headers['content-type'];
    if (!resp.content) {
      if (type || res.body.length) fail(`no body is documented, got ${type ?? 'no Content-Type'} and ${res.body.length} bytes`);
    } else {
      const media = type?.split(';')[0].trim().toLowerCase();
      if (!media || !(media in resp.content)) fail(`Content-Type ${type} is not documented (${Object.keys(resp.content).join(', ')})`);
      if (media.endsWith('json')) {
        try { body = JSON.parse(res.body); } catch (e) { fail(`the body is not JSON: ${e.message}`); }
      } else body = res.body;
      valid(`${rp}/content/${escape(media)}/schema`, body, 'body');
    }

    // An accepted request must be one the document allows: the request schemas are not
    // stricter than the server.
    if (o && res.status < 300 && sentBody !== undefined && o.op.requestBody) {
      const [rb, bp] = this.deref(o.op.requestBody, `#/paths/${escape(found.path)}/${m}/requestBody`);
      const v = this.validator(`${bp}/content/application~1json/schema`);
      if (!v(sentBody)) fail(`the server accepted a request body the document forbids: ${this.ajv.errorsText(v.errors, { dataVar: 'request' })}`);
      assert.ok(rb.content['application/json']);
    }

    if (o) {
      const key = `${listener} ${o.id}`;
      if (!this.seen.has(key)) this.seen.set(key, new Set());
      this.seen.get(key).add(String(res.status));
    }
    return body;
  }

  // Operations, per listener, that no checked answer came from.
  unexercised() {
    return this.operations.filter((o) => !this.seen.has(`${o.listener} ${o.id}`)).map((o) => `${o.id} (${o.method} ${o.path} on ${o.listener})`);
  }

  // Documented statuses never seen, per operation (over all listeners serving it).
  unseenStatuses() {
    const out = [];
    for (const id of new Set(this.operations.map((o) => o.id))) {
      const all = this.operations.filter((o) => o.id === id);
      const seen = new Set(all.flatMap((o) => [...(this.seen.get(`${o.listener} ${o.id}`) ?? [])]));
      for (const status of Object.keys(all[0].op.responses)) if (!seen.has(status)) out.push(`${id} ${status}`);
    }
    return out;
  }
}
