// Regenerates the checked-in completion scripts from the built CLI (a test keeps them in sync).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const files = { bash: 'completions/authctl.bash', zsh: 'completions/_authctl', fish: 'completions/authctl.fish' };
for (const [shell, file] of Object.entries(files)) {
  writeFileSync(file, execFileSync(process.execPath, ['bin/authctl.cjs', 'completion', shell], { encoding: 'utf8' }));
  console.log(`wrote ${file}`);
}
