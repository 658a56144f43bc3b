// Rebuilds dist/: one ncc bundle per entry point. CI runs this and fails if dist/ changes.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const entries = [
  ['src/index.ts', 'dist'],
];
rmSync('dist', { recursive: true, force: true });
for (const [src, out] of entries) {
  execFileSync('npx', ['ncc', 'build', src, '-o', out, '--target', 'es2022', '-q'], { stdio: 'inherit' });
}
