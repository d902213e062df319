import { defineConfig } from 'vite';

// Served by vrs-hub under /dashboard/; every module, style and chart engine is bundled into dist/.
export default defineConfig({
  base: '/dashboard/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
