// A synchronous stretch blocks the event loop.
//
// The timer below is due after 10 ms, but `busyWait()` keeps the main thread for 300 ms: nothing
// else can run, not even the callback that is already due. The diagram flags the blocking stretch
// on the main thread (with the line that caused it) and shows the timer firing late.
function busyWait(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Spinning on purpose: this is the mistake the diagram makes visible.
  }
}

const scheduled = Date.now();
setTimeout(() => {
  console.log(`timer due after 10 ms fired after ${Date.now() - scheduled} ms`);
}, 10);

busyWait(300);
