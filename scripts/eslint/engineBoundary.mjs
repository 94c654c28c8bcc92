// ESLint rule `engine-boundary`: code outside the engine (src/host, src/cli) may import only the
// engine's public folders (client/: the EngineClient that forks the engine process and the index
// folder rules; models/: model manifest, selection and downloads; node/: atomic writes, file locks,
// the package root, Node built-ins only), as eslint.config.mjs lists them. Everything else under
// src/engine runs inside the engine process and may load onnxruntime or LanceDB: imported by the
// host, a native crash would take the extension host down with it again. A path rule, not a name
// pattern: from src/host/<feature>/ the specifier '../engine/x' is src/host/engine, '../../engine/x'
// is src/engine, so each relative specifier is resolved against the importing file before it is judged.
import path from 'node:path';

/** @type {import('eslint').Rule.RuleModule} */
export const engineBoundary = {
  meta: {
    type: 'problem',
    docs: { description: 'Host and CLI code imports only the public folders of src/engine (client/, models/, node/ in this project).' },
    schema: [
      {
        type: 'object',
        properties: { engineDir: { type: 'string' }, allowed: { type: 'array', items: { type: 'string' } } },
        required: ['engineDir', 'allowed'],
        additionalProperties: false,
      },
    ],
    messages: {
      internal:
        "'{{spec}}' is engine-internal ({{target}}): host and CLI code may import only {{allowed}}. Code there runs in the engine process; expose what you need through src/engine/client.",
    },
  },
  create(context) {
    const { engineDir, allowed } = context.options[0];
    const engine = path.resolve(engineDir);
    const open = allowed.map((folder) => path.join(engine, folder));
    const inside = (file, dir) => {
      const rel = path.relative(dir, file);
      return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
    };
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(context.filename), spec);
      if (!inside(target, engine) || open.some((dir) => inside(target, dir))) return;
      context.report({
        node,
        messageId: 'internal',
        data: { spec, target: path.relative(path.dirname(engine), target), allowed: allowed.map((f) => `src/engine/${f}/`).join(' and ') },
      });
    };
    const fromSource = (node) => node.source && check(node.source, node.source.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      CallExpression: (node) => {
        const [arg] = node.arguments;
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && arg?.type === 'Literal') check(arg, arg.value);
      },
    };
  },
};
