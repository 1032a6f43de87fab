import pytest

PRODUCTS = {
    1: {"id": 1, "name": "Dune", "category": "books", "price": 9.99, "tags": ["scifi", "classic"], "in_stock": True},
    2: {"id": 2, "name": "Neuromancer", "category": "books", "price": 7.5, "tags": ["scifi", "cyberpunk"], "in_stock": False},
    3: {"id": 3, "name": "Pride and Prejudice", "category": "books", "price": 5.0, "tags": ["classic", "romance"], "in_stock": True},
    4: {"id": 4, "name": "Portal 2", "category": "games", "price": 19.99, "tags": ["puzzle", "scifi"], "in_stock": True},
    5: {"id": 5, "name": "Stardew Valley", "category": "games", "price": 14.99, "tags": ["farming", "cozy"], "in_stock": False},
    6: {"id": 6, "name": "Kind of Blue", "category": "music", "price": 12.0, "tags": ["jazz", "classic"], "in_stock": True},
    7: {"id": 7, "name": "Random Access Memories", "category": "music", "price": 15.5, "tags": ["electronic"], "in_stock": True},
}


def product_view(product):
    """The fields the README fixes, with tags compared as a sorted list."""
    if not isinstance(product, dict):
        return product
    view = {key: product.get(key, "<missing>") for key in PRODUCTS[1]}
    if isinstance(view["tags"], list):
        view["tags"] = sorted(view["tags"])
    return view


def expected_view(product_id):
    return product_view(PRODUCTS[product_id])


def ids_of(products, where):
    assert isinstance(products, list), f"{where} should be a JSON list of products, got {products!r}"
    for product in products:
        assert isinstance(product, dict) and "id" in product, (
            f"every entry of {where} should be a product object with an `id`, got {product!r}"
        )
    return [product["id"] for product in products]


def list_products(client, params):
    response = client.get("/products", params=params)
    assert response.status_code == 200, (
        f"GET /products with {params} should answer 200, got {response.status_code}: {response.text[:300]}"
    )
    body = response.json()
    assert isinstance(body, dict) and "total" in body and "items" in body, (
        f"GET /products should answer {{'total': ..., 'items': [...]}}, got {body!r}"
    )
    return body["total"], ids_of(body["items"], "`items`"), body["items"]


def expect_422(client, path, params=None):
    response = client.get(path, params=params)
    shown = path + (f" with query {params}" if params else "")
    assert response.status_code == 422, (
        f"GET {shown} should be rejected with 422 (invalid parameter), got {response.status_code}"
    )


# --- GET /products/{product_id} -------------------------------------------------------------


@pytest.mark.points(6)
@pytest.mark.rule("R1", "R2")
def test_get_product_by_id(client):
    for product_id in (4, 1, 7):
        response = client.get(f"/products/{product_id}")
        assert response.status_code == 200, (
            f"GET /products/{product_id} should answer 200, got {response.status_code}"
        )
        assert product_view(response.json()) == expected_view(product_id), (
            f"GET /products/{product_id} should return product {product_id} with the README's values"
        )


@pytest.mark.points(6)
@pytest.mark.rule("R3")
def test_unknown_product_is_404(client):
    for product_id in (8, 99):
        response = client.get(f"/products/{product_id}")
        assert response.status_code == 404, (
            f"GET /products/{product_id} (no such product) should answer 404, got {response.status_code}"
        )
        assert response.json() == {"detail": "Product not found"}, (
            f"GET /products/{product_id} should answer {{'detail': 'Product not found'}}, "
            f"got {response.text[:200]!r}"
        )


@pytest.mark.points(5)
@pytest.mark.rule("R4")
def test_product_id_must_be_an_integer(client):
    expect_422(client, "/products/abc")
    expect_422(client, "/products/1.5")


@pytest.mark.points(6)
@pytest.mark.rule("R2", "R4")
def test_product_id_must_be_at_least_one(client):
    expect_422(client, "/products/0")
    expect_422(client, "/products/-3")
    response = client.get("/products/1")
    assert response.status_code == 200, (
        f"GET /products/1 (the smallest valid id) should answer 200, got {response.status_code}"
    )


# --- GET /categories/{category} -------------------------------------------------------------


@pytest.mark.points(6)
@pytest.mark.rule("R1", "R5")
def test_category_lists_its_products(client):
    for category, expected in (("music", [6, 7]), ("books", [1, 2, 3]), ("games", [4, 5])):
        response = client.get(f"/categories/{category}")
        assert response.status_code == 200, (
            f"GET /categories/{category} should answer 200, got {response.status_code}"
        )
        body = response.json()
        assert body.get("category") == category, (
            f"GET /categories/{category} should have `category` == {category!r}, got {body.get('category')!r}"
        )
        assert body.get("count") == len(expected), (
            f"GET /categories/{category} should have `count` == {len(expected)}, got {body.get('count')!r}"
        )
        assert ids_of(body.get("products"), "`products`") == expected, (
            f"GET /categories/{category} should list products {expected} (sorted by id)"
        )
        assert [product_view(p) for p in body["products"]] == [expected_view(i) for i in expected], (
            f"GET /categories/{category} should return the products with the README's values"
        )


@pytest.mark.points(5)
@pytest.mark.rule("R6")
def test_category_must_be_a_known_value(client):
    expect_422(client, "/categories/toys")
    expect_422(client, "/categories/Books")
    expect_422(client, "/categories/MUSIC")


# --- GET /products ---------------------------------------------------------------------------


@pytest.mark.points(6)
@pytest.mark.rule("R1", "R7", "R8", "R9")
def test_list_defaults_to_first_five(client):
    total, ids, items = list_products(client, {})
    assert total == 7, f"GET /products should report total 7 (all products), got {total!r}"
    assert ids == [1, 2, 3, 4, 5], (
        f"GET /products without limit should return the first 5 products (ids 1-5), got ids {ids}"
    )
    assert [product_view(p) for p in items] == [expected_view(i) for i in ids], (
        "GET /products should return the products with the README's values"
    )


@pytest.mark.points(7)
@pytest.mark.rule("R7", "R8", "R9")
def test_list_offset_and_limit(client):
    cases = [
        ({"offset": 0}, [1, 2, 3, 4, 5]),
        ({"offset": 0, "limit": 2}, [1, 2]),
        ({"offset": 5}, [6, 7]),
        ({"offset": 6}, [7]),
        ({"offset": 7}, []),
        ({"offset": 2, "limit": 3}, [3, 4, 5]),
        ({"limit": 1}, [1]),
        ({"limit": 20}, [1, 2, 3, 4, 5, 6, 7]),
        ({"offset": 10}, []),
    ]
    for params, expected in cases:
        total, ids, _ = list_products(client, params)
        assert ids == expected, f"GET /products with {params} should return ids {expected}, got {ids}"
        assert total == 7, (
            f"GET /products with {params} should report total 7 (matches before offset/limit), got {total!r}"
        )


@pytest.mark.points(6)
@pytest.mark.rule("R8", "R9")
def test_list_pagination_bounds(client):
    expect_422(client, "/products", {"limit": 0})
    expect_422(client, "/products", {"limit": 21})
    expect_422(client, "/products", {"limit": -5})
    expect_422(client, "/products", {"offset": -1})
    expect_422(client, "/products", {"limit": "ten"})
    expect_422(client, "/products", {"offset": "two"})


@pytest.mark.points(5)
@pytest.mark.rule("R6", "R7", "R10")
def test_list_filter_by_category(client):
    total, ids, _ = list_products(client, {"category": "games"})
    assert (total, ids) == (2, [4, 5]), (
        f"GET /products?category=games should give total 2 and ids [4, 5], got total {total!r}, ids {ids}"
    )
    expect_422(client, "/products", {"category": "toys"})
    expect_422(client, "/products", {"category": "Games"})


@pytest.mark.points(8)
@pytest.mark.rule("R7", "R11")
def test_list_repeated_tag_requires_every_tag(client):
    total, ids, _ = list_products(client, {"tag": "scifi"})
    assert (total, ids) == (3, [1, 2, 4]), (
        f"GET /products?tag=scifi should give total 3 and ids [1, 2, 4], got total {total!r}, ids {ids}"
    )
    total, ids, _ = list_products(client, [("tag", "scifi"), ("tag", "classic")])
    assert (total, ids) == (1, [1]), (
        "GET /products?tag=scifi&tag=classic should only return products having both tags "
        f"(total 1, ids [1]), got total {total!r}, ids {ids}"
    )
    total, ids, _ = list_products(client, [("tag", "classic"), ("tag", "jazz")])
    assert (total, ids) == (1, [6]), (
        "GET /products?tag=classic&tag=jazz should only return products having both tags "
        f"(total 1, ids [6]), got total {total!r}, ids {ids}"
    )
    total, ids, _ = list_products(client, [("tag", "scifi"), ("tag", "jazz")])
    assert (total, ids) == (0, []), (
        f"GET /products?tag=scifi&tag=jazz should match nothing (total 0), got total {total!r}, ids {ids}"
    )


@pytest.mark.points(7)
@pytest.mark.rule("R7", "R12")
def test_list_price_bounds_are_inclusive(client):
    cases = [
        ({"min_price": 12}, [4, 5, 6, 7]),
        ({"max_price": 7.5}, [2, 3]),
        ({"min_price": 9.99, "max_price": 14.99}, [1, 5, 6]),
        ({"min_price": 19.99}, [4]),
        ({"max_price": 5}, [3]),
    ]
    for params, expected in cases:
        total, ids, _ = list_products(client, params)
        assert (total, ids) == (len(expected), expected), (
            f"GET /products with {params} should give ids {expected} (bounds are inclusive), "
            f"got total {total!r}, ids {ids}"
        )


@pytest.mark.points(5)
@pytest.mark.rule("R7", "R12")
def test_list_price_zero_is_accepted_and_negative_rejected(client):
    total, ids, _ = list_products(client, {"min_price": 0})
    assert (total, ids) == (7, [1, 2, 3, 4, 5]), (
        "GET /products?min_price=0 is valid (prices are >= 0) and should match every product "
        f"(total 7, first page ids [1, 2, 3, 4, 5]), got total {total!r}, ids {ids}"
    )
    total, ids, _ = list_products(client, {"max_price": 0})
    assert (total, ids) == (0, []), (
        f"GET /products?max_price=0 is valid and should match nothing, got total {total!r}, ids {ids}"
    )
    expect_422(client, "/products", {"min_price": -1})
    expect_422(client, "/products", {"max_price": -0.5})
    expect_422(client, "/products", {"min_price": -0.01, "max_price": 10})


@pytest.mark.points(5)
@pytest.mark.rule("R7", "R13")
def test_list_filter_by_in_stock(client):
    total, ids, _ = list_products(client, {"in_stock": "false"})
    assert (total, ids) == (2, [2, 5]), (
        f"GET /products?in_stock=false should give ids [2, 5], got total {total!r}, ids {ids}"
    )
    total, ids, _ = list_products(client, {"in_stock": "true"})
    assert (total, ids) == (5, [1, 3, 4, 6, 7]), (
        f"GET /products?in_stock=true should give total 5 and ids [1, 3, 4, 6, 7], got total {total!r}, ids {ids}"
    )


@pytest.mark.points(4)
@pytest.mark.rule("R7", "R8", "R9", "R10", "R11", "R13")
def test_list_filters_combine_before_pagination(client):
    params = {"category": "books", "in_stock": "true", "tag": "classic"}
    total, ids, _ = list_products(client, params)
    assert (total, ids) == (2, [1, 3]), f"GET /products with {params} should give ids [1, 3], got {ids}"
    params = {**params, "offset": 1, "limit": 1}
    total, ids, _ = list_products(client, params)
    assert (total, ids) == (2, [3]), (
        f"GET /products with {params} should give total 2 and ids [3], got total {total!r}, ids {ids}"
    )


# --- GET /search -----------------------------------------------------------------------------


@pytest.mark.points(6)
@pytest.mark.rule("R1", "R15")
def test_search_is_case_insensitive(client):
    for q, expected in (("dUnE", [1]), ("an", [2, 3, 7]), ("zz", [])):
        response = client.get("/search", params={"q": q})
        assert response.status_code == 200, f"GET /search?q={q} should answer 200, got {response.status_code}"
        body = response.json()
        assert body.get("query") == q, f"GET /search?q={q} should echo `query` == {q!r}, got {body.get('query')!r}"
        assert ids_of(body.get("results"), "`results`") == expected, (
            f"GET /search?q={q} should return ids {expected} (case-insensitive name match)"
        )
        assert body.get("count") == len(expected), (
            f"GET /search?q={q} should have `count` == {len(expected)}, got {body.get('count')!r}"
        )
    body = client.get("/search", params={"q": "dune"}).json()
    assert [product_view(p) for p in body["results"]] == [expected_view(1)], (
        "GET /search?q=dune should return product 1 with the README's values"
    )


@pytest.mark.points(7)
@pytest.mark.rule("R14")
def test_search_query_is_required_and_bounded(client):
    expect_422(client, "/search")
    expect_422(client, "/search", {"q": ""})
    expect_422(client, "/search", {"q": "a"})
    expect_422(client, "/search", {"q": "x" * 31})
    expect_422(client, "/search", {"q": "\u00fc" * 31})
    for q, what in (("xy", "a 2-character"), ("x" * 30, "a 30-character"), ("\u00fc" * 30, "a 30-character (non-ASCII)")):
        response = client.get("/search", params={"q": q})
        assert response.status_code == 200, (
            f"GET /search with {what} q ({q!r}) is valid and should answer 200, got {response.status_code}"
        )
