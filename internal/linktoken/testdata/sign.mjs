// Signs a direct-link token the way vendors' Node.js code does, following
// the reference docs: jsonwebtoken's sign({sub, jti: nanoid()}, privateKey,
// {algorithm}). jsonwebtoken adds iat and the header {"alg", "typ": "JWT"}.
//
// Usage: node sign.mjs ALGORITHM SUB [ORIGIN] < private.pem
// Used by TestNodeJSONWebTokenAccepted (node_test.go).
import { readFileSync } from 'node:fs';
import jwt from 'jsonwebtoken';
import { nanoid } from 'nanoid';

const [algorithm, sub, origin] = process.argv.slice(2);
const privateKey = readFileSync(0, 'utf8');
const claims = { sub, jti: nanoid() };
if (origin) {
  claims.origin = origin;
}
process.stdout.write(jwt.sign(claims, privateKey, { algorithm }));
