import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './preferences';
// The global styles, in this order; components import their own.
import './styles/tokens.css';
import './styles/base.css';
import './styles/controls.css';
import './styles/layout.css';
import { TRANSLATIONS } from './app/registry';
import { initI18n } from './i18n';
import { App } from './App';

initI18n(TRANSLATIONS);

const container = document.getElementById('root');
if (!container) throw new Error('Root element #root not found');

createRoot(container).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
