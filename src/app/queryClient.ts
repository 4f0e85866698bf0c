// Reads of the in-browser warehouse. They are local and change only when
// warehouseVersion (part of every key) changes, so they never go stale on
// their own and a failure is not worth retrying.

import { QueryClient } from '@tanstack/react-query';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: false,
      staleTime: Infinity,
      refetchOnWindowFocus: false,
    },
    mutations: { retry: false },
  },
});
