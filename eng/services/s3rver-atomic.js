// Starts s3rver (the S3-compatible server the tests use; same arguments as its own command) with each PUT of an
// object made whole before the next PUT of the same key begins, as S3's are. s3rver 3.7.1 writes an object's bytes in
// place and its md5 in a second file, and answers before the bytes are flushed: two PUTs of one key at once could leave
// one's bytes beside the other's md5, which the AWS SDK then rejects on read (a conformance test of concurrent writes
// failed that way about once in ten runs).
'use strict';

const crypto = require('crypto');
const fs = require('fs/promises');
const path = require('path');
const FilesystemStore = require('s3rver/lib/stores/filesystem');

const pending = new Map(); // "bucket/key" -> the promise of its last PUT

async function putWhole(store, object) {
  const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
  await fs.mkdir(path.dirname(objectPath), { recursive: true });
  const chunks = [];
  if (Buffer.isBuffer(object.content)) {
    chunks.push(object.content);
  } else {
    for await (const chunk of object.content) chunks.push(chunk);
  }
  const content = Buffer.concat(chunks);
  const md5 = crypto.createHash('md5').update(content).digest('hex');
  // A temporary name beside it (not ending in "._S3rver_object", so never listed), then a rename: never half-written.
  const temp = `${objectPath}.${crypto.randomBytes(8).toString('hex')}.tmp`;
  await fs.writeFile(temp, content);
  await fs.rename(temp, objectPath);
  await store.putMetadata(object.bucket, object.key, object.metadata, md5);
  return { size: content.length, md5 };
}

FilesystemStore.prototype.putObject = function putObject(object) {
  const id = `${object.bucket}/${object.key}`;
  const result = (pending.get(id) || Promise.resolve()).catch(() => {}).then(() => putWhole(this, object));
  pending.set(id, result);
  const forget = () => { if (pending.get(id) === result) pending.delete(id); };
  result.then(forget, forget);
  return result;
};

require('s3rver/bin/s3rver.js');
