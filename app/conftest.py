"""Keep pytest's doctest collection out of the Streamlit scripts: importing one runs the page.

The pages are tested by running them under ``streamlit.testing.v1.AppTest`` (tests/app/).
"""

collect_ignore_glob = ["pages/*.py", "streamlit_app.py"]
