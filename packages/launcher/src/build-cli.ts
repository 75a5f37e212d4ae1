import { buildDir, ensureBuilt } from './build.ts';

// `npm run build`: compiles every process the launcher starts (the Docker image runs this too).
const r = await ensureBuilt();
console.log(r.built ? `compiled the processes into ${buildDir} in ${Math.round(r.ms)} ms` : `${buildDir} is current`);
