// Leisure categories: beauty, gaming, audio, yoga.
extension Vocabulary {
    static let beauty = CategoryVocabulary(
        name: "beauty",
        topics: [
            TopicVocabulary(
                name: Bilingual("matte lipstick", "哑光口红"),
                products: [
                    Bilingual("matte lipstick", "哑光口红"),
                    Bilingual("lip lacquer", "唇釉"),
                    Bilingual("lip liner", "唇线笔"),
                    Bilingual("tinted balm", "有色润唇膏"),
                    Bilingual("sugar scrub", "唇部磨砂膏"),
                    Bilingual("lipstick set", "口红套装"),
                    Bilingual("lip plumper", "丰唇蜜"),
                ],
                uses: [
                    Bilingual("velvet finish", "丝绒质地"),
                    Bilingual("long wear", "持久不脱色"),
                    Bilingual("bold red lips", "复古红唇"),
                    Bilingual("nude shades", "裸色系"),
                ]),
            TopicVocabulary(
                name: Bilingual("skincare serums", "护肤精华"),
                products: [
                    Bilingual("vitamin c serum", "维生素精华"),
                    Bilingual("retinol cream", "视黄醇面霜"),
                    Bilingual("hyaluronic acid", "玻尿酸"),
                    Bilingual("niacinamide", "烟酰胺"),
                    Bilingual("face oil", "美容油"),
                    Bilingual("night cream", "晚霜"),
                    Bilingual("sunscreen", "防晒霜"),
                ],
                uses: [
                    Bilingual("dry skin", "干性肌肤"),
                    Bilingual("dark spots", "淡化色斑"),
                    Bilingual("fine lines", "抗细纹"),
                    Bilingual("sensitive skin", "敏感肌"),
                ]),
            TopicVocabulary(
                name: Bilingual("eye makeup", "眼妆"),
                products: [
                    Bilingual("eyeshadow palette", "眼影盘"),
                    Bilingual("mascara", "睫毛膏"),
                    Bilingual("eyeliner", "眼线笔"),
                    Bilingual("brow pencil", "眉笔"),
                    Bilingual("false lashes", "假睫毛"),
                    Bilingual("eye primer", "眼影底膏"),
                    Bilingual("lash curler", "睫毛夹"),
                ],
                uses: [
                    Bilingual("smoky eyes", "烟熏妆"),
                    Bilingual("winged liner", "上挑眼线"),
                    Bilingual("long lashes", "浓密睫毛"),
                    Bilingual("stage makeup", "舞台妆"),
                ]),
        ],
        brands: [
            Bilingual("Lunaveil", "月纱"),
            Bilingual("Petalux", "花漾集"),
            Bilingual("Glossaria", "光泽坊"),
            Bilingual("Orchidra", "兰影"),
            Bilingual("Siennelle", "赛琳"),
            Bilingual("Kohlette", "墨眸"),
            Bilingual("Rosabeau", "玫瑰颂"),
        ],
        materials: [
            Bilingual("beeswax", "蜂蜡"),
            Bilingual("jojoba oil", "荷荷巴油"),
            Bilingual("mineral pigment", "矿物色粉"),
            Bilingual("aloe vera", "芦荟"),
            Bilingual("rice bran", "米糠"),
            Bilingual("camellia oil", "山茶花油"),
        ])

    static let gaming = CategoryVocabulary(
        name: "gaming",
        topics: [
            TopicVocabulary(
                name: Bilingual("pc gaming", "电脑游戏"),
                products: [
                    Bilingual("mechanical keyboard", "机械键盘"),
                    Bilingual("wireless mouse", "无线鼠标"),
                    Bilingual("desk mat", "桌垫"),
                    Bilingual("headset", "头戴耳麦"),
                    Bilingual("monitor arm", "显示器支架"),
                    Bilingual("ergonomic chair", "电竞椅"),
                    Bilingual("keycaps", "键帽"),
                    Bilingual("webcam", "摄像头"),
                ],
                uses: [
                    Bilingual("fps shooters", "射击游戏"),
                    Bilingual("esports", "电竞比赛"),
                    Bilingual("streaming setup", "直播间"),
                ]),
            TopicVocabulary(
                name: Bilingual("console gaming", "主机游戏"),
                products: [
                    Bilingual("controller", "手柄"),
                    Bilingual("charging dock", "充电底座"),
                    Bilingual("thumb grips", "摇杆帽"),
                    Bilingual("carry case", "收纳包"),
                    Bilingual("racing wheel", "赛车方向盘"),
                    Bilingual("arcade stick", "街机摇杆"),
                    Bilingual("screen protector", "屏幕贴膜"),
                ],
                uses: [
                    Bilingual("local multiplayer", "双人合作"),
                    Bilingual("racing sims", "赛车模拟"),
                    Bilingual("handheld play", "掌机游玩"),
                ]),
            TopicVocabulary(
                name: Bilingual("tabletop games", "桌面游戏"),
                products: [
                    Bilingual("board game", "策略桌游"),
                    Bilingual("dice set", "骰子套装"),
                    Bilingual("card sleeves", "卡套"),
                    Bilingual("playmat", "卡牌垫"),
                    Bilingual("miniatures", "模型棋子"),
                    Bilingual("dice tower", "骰塔"),
                    Bilingual("card binder", "卡册"),
                    Bilingual("deck box", "卡盒"),
                ],
                uses: [
                    Bilingual("game night", "周末聚会"),
                    Bilingual("roleplay", "角色扮演"),
                    Bilingual("deck building", "卡组构筑"),
                ]),
        ],
        brands: [
            Bilingual("Pixelforge", "像素工坊"),
            Bilingual("Voltfang", "伏特牙"),
            Bilingual("Nebulink", "星云链"),
            Bilingual("Quasarix", "类星体"),
            Bilingual("Lumabit", "光比特"),
            Bilingual("Corevex", "核维"),
            Bilingual("Ironjoy", "铁趣"),
        ],
        materials: [
            Bilingual("matte plastic", "磨砂塑料"),
            Bilingual("aluminium alloy", "航空铝"),
            Bilingual("silicone", "硅胶"),
            Bilingual("tempered glass", "钢化玻璃"),
            Bilingual("memory foam", "记忆棉"),
            Bilingual("leatherette", "人造革"),
        ])

    static let audio = CategoryVocabulary(
        name: "audio",
        topics: [
            TopicVocabulary(
                name: Bilingual("headphones", "耳机"),
                products: [
                    Bilingual("studio headphones", "头戴式耳机"),
                    Bilingual("wireless earbuds", "真无线耳机"),
                    Bilingual("headphone amp", "耳放"),
                    Bilingual("ear pads", "耳罩"),
                    Bilingual("portable dac", "便携解码器"),
                    Bilingual("noise cancelling", "主动降噪"),
                    Bilingual("earbud tips", "耳塞套"),
                ],
                uses: [
                    Bilingual("commuting", "通勤路上"),
                    Bilingual("long flights", "长途飞行"),
                    Bilingual("critical listening", "专业监听"),
                ]),
            TopicVocabulary(
                name: Bilingual("vinyl records", "黑胶唱片"),
                products: [
                    Bilingual("turntable", "黑胶唱机"),
                    Bilingual("vinyl records", "黑胶唱片"),
                    Bilingual("stylus", "唱针"),
                    Bilingual("record cleaner", "唱片清洁液"),
                    Bilingual("phono preamp", "唱头放大器"),
                    Bilingual("record shelf", "唱片架"),
                    Bilingual("slipmat", "唱盘垫"),
                ],
                uses: [
                    Bilingual("jazz collection", "爵士收藏"),
                    Bilingual("classic albums", "经典专辑"),
                    Bilingual("analog sound", "模拟音色"),
                ]),
            TopicVocabulary(
                name: Bilingual("home speakers", "家庭音响"),
                products: [
                    Bilingual("bookshelf speakers", "书架音箱"),
                    Bilingual("soundbar", "回音壁"),
                    Bilingual("subwoofer", "低音炮"),
                    Bilingual("floorstanding towers", "落地音箱"),
                    Bilingual("stereo amplifier", "立体声功放"),
                    Bilingual("av receiver", "影院接收机"),
                    Bilingual("speaker stands", "音箱脚架"),
                ],
                uses: [
                    Bilingual("home theater", "家庭影院"),
                    Bilingual("movie nights", "电影之夜"),
                    Bilingual("room acoustics", "房间声学"),
                ]),
        ],
        brands: [
            Bilingual("Sonaris", "声纳斯"),
            Bilingual("Echovane", "回响风"),
            Bilingual("Hushwave", "静波"),
            Bilingual("Decibella", "分贝拉"),
            Bilingual("Vinylark", "云雀声"),
            Bilingual("Tonemoor", "音原"),
            Bilingual("Auralith", "听石"),
        ],
        materials: [
            Bilingual("brushed aluminium", "拉丝铝"),
            Bilingual("walnut veneer", "胡桃木饰面"),
            Bilingual("protein leather", "蛋白皮"),
            Bilingual("acoustic fabric", "声学布"),
            Bilingual("birch plywood", "桦木多层板"),
        ])

    static let yoga = CategoryVocabulary(
        name: "yoga",
        topics: [
            TopicVocabulary(
                name: Bilingual("yoga practice", "瑜伽练习"),
                products: [
                    Bilingual("yoga mat", "瑜伽垫"),
                    Bilingual("foam blocks", "泡沫砖"),
                    Bilingual("stretch strap", "伸展带"),
                    Bilingual("grip towel", "防滑铺巾"),
                    Bilingual("backbend wheel", "开背轮"),
                    Bilingual("mat bag", "垫子收纳包"),
                    Bilingual("high waist leggings", "高腰紧身裤"),
                ],
                uses: [
                    Bilingual("vinyasa flow", "流瑜伽"),
                    Bilingual("hot yoga", "高温瑜伽"),
                    Bilingual("flexibility", "柔韧性"),
                ]),
            TopicVocabulary(
                name: Bilingual("meditation", "冥想"),
                products: [
                    Bilingual("meditation cushion", "冥想坐垫"),
                    Bilingual("singing bowl", "颂钵"),
                    Bilingual("incense sticks", "线香"),
                    Bilingual("mala beads", "念珠"),
                    Bilingual("eye pillow", "眼枕"),
                    Bilingual("meditation bench", "跪凳"),
                    Bilingual("aroma diffuser", "香薰机"),
                ],
                uses: [
                    Bilingual("mindfulness", "正念"),
                    Bilingual("breathwork", "呼吸练习"),
                    Bilingual("bedtime calm", "睡前放松"),
                ]),
            TopicVocabulary(
                name: Bilingual("pilates", "普拉提"),
                products: [
                    Bilingual("pilates ring", "普拉提圈"),
                    Bilingual("resistance bands", "弹力带"),
                    Bilingual("grip socks", "防滑袜"),
                    Bilingual("massage ball", "筋膜球"),
                    Bilingual("exercise ball", "健身球"),
                    Bilingual("ankle weights", "绑腿沙袋"),
                    Bilingual("toning bar", "健身棒"),
                ],
                uses: [
                    Bilingual("core strength", "核心力量"),
                    Bilingual("posture", "体态矫正"),
                    Bilingual("reformer classes", "器械课程"),
                ]),
        ],
        brands: [
            Bilingual("Lotusfold", "莲折"),
            Bilingual("Zenmara", "禅玛"),
            Bilingual("Breathwick", "息芯"),
            Bilingual("Asanique", "阿萨妮"),
            Bilingual("Stillpine", "静松"),
            Bilingual("Mantrelle", "曼特尔"),
            Bilingual("Calmora", "安谧"),
        ],
        materials: [
            Bilingual("tree rubber", "天然树胶"),
            Bilingual("cork", "软木"),
            Bilingual("hemp", "汉麻"),
            Bilingual("buckwheat hulls", "荞麦壳"),
            Bilingual("microsuede", "麂皮绒"),
        ])
}
