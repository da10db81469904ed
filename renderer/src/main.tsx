import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getBench } from './bench';
import { saveFile } from './download';
import { connectEvents, createAppStore } from './store/app-store';
import { StoreProvider } from './store/context';
import './styles.css';

const bench = getBench();
const store = createAppStore(bench, { saveFile });
connectEvents(bench, store);
void store.getState().loadStatus();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
