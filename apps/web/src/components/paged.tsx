import { type QueryKey, useInfiniteQuery } from "@tanstack/react-query";
import { useT } from "../i18n";

/** A history list paged by the API's cursor (`nextCursor`), newest first. */
export function useCursorPages<Page extends { nextCursor?: string | null }, Item>(
  queryKey: QueryKey,
  fetchPage: (cursor: string | undefined) => Promise<Page>,
  itemsOf: (page: Page) => Item[],
) {
  const q = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  return { q, items: q.data ? q.data.pages.flatMap(itemsOf) : [] };
}

export function LoadMore({
  q,
}: {
  q: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
}) {
  const t = useT();
  if (!q.hasNextPage) return null;
  return (
    <button
      type="button"
      className="btn btn-ghost"
      disabled={q.isFetchingNextPage}
      onClick={() => q.fetchNextPage()}
    >
      {t("loadMore")}
    </button>
  );
}
