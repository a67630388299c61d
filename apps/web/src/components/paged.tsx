import { type QueryKey, useInfiniteQuery } from "@tanstack/react-query";
import { useT } from "../i18n";

/** A history list paged by the API's cursor (`nextBefore`, passed back as `before`), newest first. */
export function useCursorPages<Cursor, Page extends { nextBefore: Cursor | null }, Item>(
  queryKey: QueryKey,
  fetchPage: (before: Cursor | undefined) => Promise<Page>,
  itemsOf: (page: Page) => Item[],
) {
  const q = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam as Cursor | undefined),
    initialPageParam: undefined as Cursor | undefined,
    getNextPageParam: (last) => last.nextBefore ?? undefined,
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
