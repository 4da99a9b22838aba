import assert from "node:assert/strict";
import * as E from "fp-ts/lib/Either.js";
import { createRunFolder, LOCK_FILE, lockRunFolder } from "./run_lock.ts";

Deno.test("createRunFolder makes parents, and refuses a path that exists", async () => {
  const root = await Deno.makeTempDir();
  try {
    assert.ok(E.isRight(await createRunFolder(`${root}/a/b/run`)));
    const again = await createRunFolder(`${root}/a/b/run`);
    assert.ok(E.isLeft(again) && /already exists/.test(again.left));
    await Deno.writeTextFile(`${root}/file`, "x");
    assert.ok(E.isLeft(await createRunFolder(`${root}/file`)));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("lockRunFolder: one holder at a time, the holder's pid in the refusal, free again after release", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await lockRunFolder(dir);
    assert.ok(E.isRight(first));
    const second = await lockRunFolder(dir);
    assert.ok(E.isLeft(second));
    assert.match(second.left, new RegExp(`in use by another training \\(pid ${Deno.pid}\\)`));
    first.right.release();
    const third = await lockRunFolder(dir);
    assert.ok(E.isRight(third));
    third.right.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lockRunFolder refuses a lock file that is a link, and leaves its target alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/target`, "precious");
    await Deno.symlink(`${dir}/target`, `${dir}/${LOCK_FILE}`);
    const lock = await lockRunFolder(dir);
    assert.ok(E.isLeft(lock) && /not a plain file/.test(lock.left));
    assert.equal(await Deno.readTextFile(`${dir}/target`), "precious");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
