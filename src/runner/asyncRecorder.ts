/**
 * Records async operations (async_hooks: I/B/A/D records) and async function calls as task lanes
 * (v8.promiseHooks: N/W/U/E records) of one JS thread, and feeds the loop monitor.
 *
 * Cost model (see the benchmark): promises are never given a stack capture each. A parentless
 * promise is either an async function's own promise (created at its call, with the function itself
 * as the top frame, positioned at its parameter list) or a `new Promise`/`Promise.resolve` and the
 * like; one short capture tells them apart and yields the task's name and call site at once.
 * Awaits are recognised from the promise hook stream alone: an await creates a promise (V8's
 * "throwaway") while its async function is the one running, and that promise's before/after hooks
 * bracket the function's resumption.
 */
import * as asyncHooks from 'node:async_hooks';
import * as v8 from 'node:v8';
import { captureCallSites, type StackInterner } from './callSites';
import type { Clock } from './clock';
import type { LoopMonitor } from './loopMonitor';
import { str, type TraceWriter } from './traceWriter';

/** Types whose user frame can lie far below Node's and undici's frames (fetch → getaddrinfo is ~45 deep). */
const DEEP_TYPES = new Set(['GETADDRINFOREQWRAP', 'GETNAMEINFOREQWRAP', 'TCPCONNECTWRAP', 'PIPECONNECTWRAP', 'TCPWRAP', 'TLSWRAP', 'HTTPCLIENTREQUEST', 'QUERYWRAP']);

/** Frequent internal types that take their source from their trigger instead of a capture of their own. */
const INHERIT_TYPES = new Set([
  'TickObject',
  'Microtask',
  'WRITEWRAP',
  'SHUTDOWNWRAP',
  'HTTPINCOMINGMESSAGE',
  'ELDHISTOGRAM',
  'STREAM_END_OF_STREAM',
  'SIGNALWRAP',
  'TTYWRAP',
  'PIPEWRAP',
  'JSSTREAM',
]);

/** Resources that live on after their first callback (handles); everything else ends with its callback. */
const LONG_LIVED_TYPES = new Set([
  'TCPWRAP',
  'TCPSERVERWRAP',
  'PIPEWRAP',
  'PIPESERVERWRAP',
  'TTYWRAP',
  'UDPWRAP',
  'SIGNALWRAP',
  'PROCESSWRAP',
  'FSEVENTWRAP',
  'STATWATCHER',
  'HTTPINCOMINGMESSAGE',
  'HTTPCLIENTREQUEST',
  'ZLIB',
  'FILEHANDLE',
  'MESSAGEPORT',
  'WORKER',
  'DNSCHANNEL',
  'TLSWRAP',
  'ELDHISTOGRAM',
  'JSSTREAM',
  'HTTP2SESSION',
  'HTTP2STREAM',
  'HTTPPARSER',
  'Timeout',
]);

/** Live resources tracked at most; the oldest are forgotten beyond it (bounded memory). */
const MAX_LIVE = 100_000;

/** Frames kept per stack. */
const KEEP_FRAMES = 4;

/** A running or suspended async function call (a task lane when `id` > 0, an internal one when 0). */
interface Ctx {
  id: number;
  promise: object;
  running: boolean;
  stackId: number;
}

/** Options of the recorder. */
export interface AsyncRecorderOptions {
  out: TraceWriter;
  now: Clock;
  interner: StackInterner;
  loop: LoopMonitor;
  /** Called when a hook failed; the hooks are disabled after repeated failures. */
  onError: (where: string, e: unknown) => void;
}

/** Records this thread's async resources and async function calls. */
export class AsyncRecorder {
  private readonly out: TraceWriter;
  private readonly now: Clock;
  private readonly interner: StackInterner;
  private readonly loop: LoopMonitor;
  private readonly onError: (where: string, e: unknown) => void;

  private readonly typeIds = new Map<string, number>();
  /** asyncId → stackId * 2 + (ends with its callback ? 1 : 0). */
  private readonly live = new Map<number, number>();
  private useDestroy = false;
  private hook: asyncHooks.AsyncHook | undefined;
  private stopPromiseHooks: (() => void) | undefined;
  private errors = 0;
  /** Stack of the async_hooks callback running now (source of resources without a user frame). */
  private currentStack = 0;

  private readonly ctxStack: Ctx[] = [];
  private readonly marks: number[] = [];
  private readonly taskOf = new WeakMap<object, Ctx>();
  private readonly awaitOf = new WeakMap<object, Ctx>();
  private nextTaskId = 1;
  /** An init whose parent was the running function's own promise: an await wrapper or an await of its returned promise. */
  private pendingPromise: object | undefined;
  private pendingCtx: Ctx | undefined;
  /** Result promise of a Promise combinator (`Promise.all` …) whose element `then`s are being created. */
  private combinator: object | undefined;

  constructor(o: AsyncRecorderOptions) {
    this.out = o.out;
    this.now = o.now;
    this.interner = o.interner;
    this.loop = o.loop;
    this.onError = o.onError;
  }

  /** Installs the hooks. */
  enable(withTasks: boolean): void {
    const trackPromisesOff = supportsTrackPromisesOff();
    // The destroy hook makes Node track every promise for GC unless promises are left out (Node ≥ 24.9):
    // without it, one-shot resources end with their callback instead.
    this.useDestroy = trackPromisesOff;
    const init = (asyncId: number, type: string, triggerId: number, resource: object): void => {
      if (type === 'PROMISE') return;
      try {
        this.onInit(asyncId, type, triggerId, resource, init);
      } catch (e) {
        this.fail('init', e);
      }
    };
    const callbacks: asyncHooks.HookCallbacks & { trackPromises?: boolean } = {
      init,
      before: (asyncId) => {
        const v = this.live.get(asyncId);
        if (v === undefined) return;
        const ts = this.now();
        this.out.write(`["B",${asyncId},${ts}]\n`);
        this.currentStack = v >>> 1;
        this.loop.enter(ts, v >>> 1);
      },
      after: (asyncId) => {
        const v = this.live.get(asyncId);
        if (v === undefined) return;
        const ts = this.now();
        this.out.write(`["A",${asyncId},${ts}]\n`);
        this.loop.exit(ts);
        this.currentStack = 0;
        if (!this.useDestroy && (v & 1) === 1) {
          this.live.delete(asyncId);
          this.out.write(`["D",${asyncId},${ts}]\n`);
        }
      },
      trackPromises: false,
    };
    if (this.useDestroy) {
      callbacks.destroy = (asyncId) => {
        if (!this.live.delete(asyncId)) return;
        this.out.write(`["D",${asyncId},${this.now()}]\n`);
      };
    }
    this.hook = asyncHooks.createHook(callbacks).enable();
    if (withTasks && v8.promiseHooks) this.enableTasks();
  }

  /** Removes the hooks (idempotent). */
  disable(): void {
    try {
      this.hook?.disable();
      this.stopPromiseHooks?.();
    } catch {
      // Already gone.
    }
    this.hook = undefined;
    this.stopPromiseHooks = undefined;
  }

  private fail(where: string, e: unknown): void {
    this.errors++;
    this.onError(where, e);
    if (this.errors >= 20) this.disable();
  }

  private typeId(type: string): number {
    let id = this.typeIds.get(type);
    if (id === undefined) {
      id = this.typeIds.size + 1;
      this.typeIds.set(type, id);
      this.out.write(`["Y",${id},${str(type)}]\n`);
    }
    return id;
  }

  private onInit(asyncId: number, type: string, triggerId: number, resource: object, skip: Function): void {
    const ts = this.now();
    const typeId = this.typeId(type);
    let stackId = 0;
    if (!INHERIT_TYPES.has(type)) {
      const sites = captureCallSites(DEEP_TYPES.has(type) ? 120 : 16, skip);
      stackId = this.interner.intern(sites, 0, KEEP_FRAMES);
    }
    if (stackId === 0) {
      // No user frame of its own: it was caused by whatever caused its trigger, or by the code running now.
      const t = this.live.get(triggerId);
      stackId = t !== undefined ? t >>> 1 : this.currentStack || this.runningTaskStack();
    }
    let oneShot = !LONG_LIVED_TYPES.has(type);
    if (type === 'Timeout' && (resource as { _repeat?: unknown })._repeat == null) oneShot = true;
    if (this.live.size >= MAX_LIVE) {
      // Forget the oldest (e.g. handles of a long-running server that were never destroyed).
      let n = MAX_LIVE / 10;
      for (const k of this.live.keys()) {
        this.live.delete(k);
        if (--n <= 0) break;
      }
    }
    this.live.set(asyncId, stackId * 2 + (oneShot ? 1 : 0));
    this.out.write(`["I",${asyncId},${typeId},${triggerId},${ts},${stackId}]\n`);
  }

  private runningTaskStack(): number {
    for (let i = this.ctxStack.length - 1; i >= 0; i--) if (this.ctxStack[i].id !== 0) return this.ctxStack[i].stackId;
    return 0;
  }

  // ---- task lanes -------------------------------------------------------------------------------

  private enableTasks(): void {
    const init = (p: Promise<unknown>, parent: Promise<unknown> | undefined): void => {
      try {
        if (this.pendingPromise !== undefined) this.resolvePending(undefined);
        if (parent === undefined) {
          this.combinator = undefined;
          this.onParentless(p, init);
        } else if (this.combinator === undefined || parent === this.combinator) {
          this.combinator = undefined;
          this.onChild(p, parent);
        }
      } catch (e) {
        this.fail('promise init', e);
      }
    };
    this.stopPromiseHooks = <() => void>v8.promiseHooks.createHook({
      init,
      before: (p) => {
        this.combinator = undefined;
        if (this.pendingPromise !== undefined) this.resolvePending(undefined);
        const ts = this.now();
        this.marks.push(this.ctxStack.length);
        const ctx = this.awaitOf.get(p);
        let stackId = 0;
        if (ctx !== undefined) {
          this.awaitOf.delete(p);
          ctx.running = true;
          this.ctxStack.push(ctx);
          if (ctx.id !== 0) this.out.write(`["U",${ctx.id},${ts}]\n`);
          stackId = ctx.stackId;
        }
        this.loop.enter(ts, stackId || this.runningTaskStack());
      },
      after: () => {
        if (this.pendingPromise !== undefined) this.resolvePending(undefined);
        const ts = this.now();
        const len = this.marks.pop();
        if (len !== undefined) {
          // Anything still marked running returned a pending promise without awaiting: it now waits for it.
          for (let i = this.ctxStack.length - 1; i >= len; i--) this.suspend(this.ctxStack[i], ts);
          this.ctxStack.length = len;
        }
        this.loop.exit(ts);
      },
      settled: (p) => {
        if (this.pendingPromise !== undefined) this.resolvePending(p);
        const ctx = this.taskOf.get(p);
        if (ctx === undefined) return;
        this.taskOf.delete(p);
        this.remove(ctx);
        ctx.running = false;
        // Whether it rejected is not visible to a promise hook; a rejection reaches the trace as an error record.
        if (ctx.id !== 0) this.out.write(`["E",${ctx.id},${this.now()},0]\n`);
      },
    });
  }

  private onParentless(p: Promise<unknown>, skip: Function): void {
    const sites = captureCallSites(KEEP_FRAMES + 2, skip);
    // With several promise hooks installed Node calls them through a dispatcher of its own.
    let first = 0;
    while (first < sites.length && sites[first].getFileName() === 'node:internal/promise_hooks') first++;
    const f0 = sites[first];
    if (f0 === undefined) return;
    if (f0.getFileName() == null) {
      // A builtin made it: for a combinator, the `then`s it attaches to its elements are not awaits.
      const fn = f0.getFunctionName();
      if (fn === 'all' || fn === 'allSettled' || fn === 'race' || fn === 'any') this.combinator = p;
      return;
    }
    // An async function's promise is created on entry, with the function itself on top, positioned on
    // its own first line (at its parameters); a promise made inside a body sits at a call instead.
    const line = f0.getLineNumber();
    if (line === null || typeof f0.getEnclosingLineNumber !== 'function') return;
    if (line !== f0.getEnclosingLineNumber() || (f0.getColumnNumber() ?? 0) < (f0.getEnclosingColumnNumber() ?? 0)) return;
    if (f0.isConstructor() || f0.getFileName() == null) return;
    let ctx: Ctx;
    if (this.interner.isUserSite(f0)) {
      const id = this.nextTaskId++;
      let stackId = this.interner.intern(sites, first + 1, KEEP_FRAMES);
      // Called from outside the user's code (a callback of Node or a library): point at the function itself.
      if (stackId === 0) stackId = this.interner.intern(sites, first, 1);
      const parent = this.runningTaskId();
      ctx = { id, promise: p, running: true, stackId };
      // A module body with top-level await is an async function without a name: call it what it is.
      const name = f0.getFunctionName() || (f0.isToplevel() && line === 1 && f0.getColumnNumber() === 1 ? '<module>' : '<anonymous>');
      this.out.write(`["N",${id},${parent},${this.now()},${stackId},${str(name)}]\n`);
    } else {
      ctx = { id: 0, promise: p, running: true, stackId: 0 };
    }
    this.taskOf.set(p, ctx);
    this.ctxStack.push(ctx);
  }

  private onChild(p: Promise<unknown>, parent: Promise<unknown>): void {
    // The second promise of `await <non-promise>`: the wrapper was seen first and suspended the function.
    const suspended = this.awaitOf.get(parent);
    if (suspended !== undefined && !suspended.running && this.taskOf.has(suspended.promise)) {
      this.awaitOf.set(p, suspended);
      return;
    }
    const owner = this.taskOf.get(parent);
    const top = this.ctxStack[this.ctxStack.length - 1];
    if (owner !== undefined && owner.running) {
      if (owner === top) {
        // Either `await <non-promise>` in `top` (a wrapper, settled at once) or someone awaiting the
        // promise `top` returned without awaiting: the next hook event tells which.
        this.pendingPromise = p;
        this.pendingCtx = top;
        return;
      }
      // The promise of a function deeper in the stack is used: that function has returned.
      this.remove(owner);
      this.suspend(owner, this.now());
    }
    this.awaitBy(top, p);
  }

  /** Decides a pending init: `settled` is the promise of the settle hook being handled, if any. */
  private resolvePending(settled: object | undefined): void {
    const p = this.pendingPromise as object;
    const ctx = this.pendingCtx as Ctx;
    this.pendingPromise = undefined;
    this.pendingCtx = undefined;
    if (settled === p) {
      this.awaitBy(ctx, p);
      return;
    }
    // `ctx` had returned its promise; the function below it is the one awaiting.
    this.remove(ctx);
    this.suspend(ctx, this.now());
    this.awaitBy(this.ctxStack[this.ctxStack.length - 1], p);
  }

  /** `ctx` (the running function, if any) suspends at an await whose resumption is `p`'s job. */
  private awaitBy(ctx: Ctx | undefined, p: object): void {
    if (ctx === undefined || !ctx.running) return;
    this.remove(ctx);
    this.awaitOf.set(p, ctx);
    this.suspend(ctx, this.now());
  }

  private suspend(ctx: Ctx, ts: number): void {
    if (!ctx.running) return;
    ctx.running = false;
    if (ctx.id !== 0) this.out.write(`["W",${ctx.id},${ts}]\n`);
  }

  private remove(ctx: Ctx): void {
    const s = this.ctxStack;
    for (let i = s.length - 1; i >= 0; i--) {
      if (s[i] === ctx) {
        s.splice(i, 1);
        return;
      }
    }
  }

  private runningTaskId(): number {
    for (let i = this.ctxStack.length - 1; i >= 0; i--) if (this.ctxStack[i].id !== 0) return this.ctxStack[i].id;
    return 0;
  }
}

let trackPromisesOffSupported: boolean | undefined;

/** True when `createHook({trackPromises: false})` really leaves promises out (Node ≥ 24.9). */
export function supportsTrackPromisesOff(): boolean {
  if (trackPromisesOffSupported !== undefined) return trackPromisesOffSupported;
  let sawPromise = false;
  const h = asyncHooks
    .createHook({
      init(_id: number, type: string) {
        if (type === 'PROMISE') sawPromise = true;
      },
      trackPromises: false,
    } as asyncHooks.HookCallbacks)
    .enable();
  void Promise.resolve();
  h.disable();
  trackPromisesOffSupported = !sawPromise;
  return trackPromisesOffSupported;
}
